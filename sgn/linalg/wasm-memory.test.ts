import { describe, expect, it } from 'vitest';
import { alignedBytes, WasmHeap } from './wasm-memory.js';

describe('WasmHeap', () => {
  it('hands out 16-aligned, disjoint blocks, never at offset 0', () => {
    const heap = new WasmHeap();
    const sizes = [8, 24, 16, 1, 100];
    const blocks = sizes.map((s) => ({ ptr: heap.alloc(s), size: alignedBytes(s) }));
    for (const b of blocks) {
      expect(b.ptr % 16).toBe(0);
      expect(b.ptr).toBeGreaterThan(0);
    }
    const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
    for (let k = 1; k < sorted.length; k++)
      expect(sorted[k].ptr).toBeGreaterThanOrEqual(sorted[k - 1].ptr + sorted[k - 1].size);
    expect(heap.usedBytes()).toBe(sizes.reduce((s, b) => s + alignedBytes(b), 0));
  });

  it('reuses the first free block that fits, and splits it', () => {
    const heap = new WasmHeap();
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    heap.alloc(64);
    heap.release(a, 64);
    heap.release(b, 64);
    // a and b merged into one 128-byte block: a 32-byte request takes its start, the next its rest.
    expect(heap.alloc(32)).toBe(a);
    expect(heap.alloc(96)).toBe(a + 32);
  });

  it('merges neighbours and gives a free tail back, so everything released leaves nothing used', () => {
    const heap = new WasmHeap();
    const ptrs = [16, 48, 80, 32].map((s) => ({ ptr: heap.alloc(s), s }));
    for (const k of [2, 0, 3, 1]) heap.release(ptrs[k].ptr, ptrs[k].s);
    expect(heap.usedBytes()).toBe(0);
    // The whole used area was given back: the next block starts where the first one did.
    expect(heap.alloc(16)).toBe(ptrs[0].ptr);
  });

  it('grows the memory when needed, renewing the view and counting the growth', () => {
    const heap = new WasmHeap();
    const before = heap.view;
    expect(heap.grows).toBe(0);
    const ptr = heap.alloc(3 * 65536);
    expect(heap.grows).toBe(1);
    expect(before.length).toBe(0); // the old view was detached by the growth
    expect(heap.view.byteLength).toBe(heap.memory.buffer.byteLength);
    expect(heap.view.byteLength).toBeGreaterThanOrEqual(ptr + 3 * 65536);
    // Written through the view, read back through a fresh one.
    heap.view[ptr / 8] = 1.5;
    expect(new Float64Array(heap.memory.buffer)[ptr / 8]).toBe(1.5);
  });
});
