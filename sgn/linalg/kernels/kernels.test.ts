import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleKernels, GENERATED_PATH, generatedModule } from './assemble.js';
import { kernelBinaries } from './instantiate.js';

// The .wat files are the source of the kernels; wasm.generated.ts, which the code loads, must be
// exactly what wabt makes of them (`npm run kernels` regenerates it).
describe('WebAssembly kernels', () => {
  it('wasm.generated.ts holds wabt’s assembly of every .wat file, byte for byte', async () => {
    const assembled = await assembleKernels();
    const loaded = kernelBinaries();
    expect([...loaded.keys()].sort()).toEqual([...assembled.keys()].sort());
    for (const [name, bytes] of assembled) expect(loaded.get(name), name).toEqual(bytes);
    // And the text itself, so that `npm run kernels -- --check` agrees.
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedModule(assembled));
  });

  it('every module is valid WebAssembly (SIMD) where the runtime has it', () => {
    for (const [name, bytes] of kernelBinaries()) expect(WebAssembly.validate(bytes), name).toBe(true);
  });
});
