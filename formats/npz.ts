/**
 * NumPy's .npz archives (np.savez: stored; np.savez_compressed: deflated): a zip file whose
 * members are .npy images named `<array>.npy`. The zip's central directory is read here (with its
 * zip64 forms, which NumPy's writer may emit), members inflated by node:zlib under a bound on the
 * total size (a small archive cannot expand past the input limit), CRC-32 checked.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { arrayError, parseNpy, type NumericArray } from './npy.js';
import { InputError } from '../sgn/util/errors.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

/** The arrays of an .npz archive by name (the member name without `.npy`), in archive order. */
export function parseNpz(bytes: Uint8Array, file: string, maxBytes: number): Map<string, NumericArray> {
  const fail = (problem: string): never => {
    throw new InputError(file, problem);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number =>
    o + 2 <= bytes.length ? view.getUint16(o, true) : fail('is a truncated zip (.npz) archive');
  const u32 = (o: number): number =>
    o + 4 <= bytes.length ? view.getUint32(o, true) : fail('is a truncated zip (.npz) archive');
  const u64 = (o: number): number => {
    const v = Number(
      o + 8 <= bytes.length ? view.getBigUint64(o, true) : fail('is a truncated zip (.npz) archive'),
    );
    return Number.isSafeInteger(v) ? v : fail('has a zip64 field beyond 2^53');
  };

  // The end-of-central-directory record: last 22 bytes, or earlier by a comment of up to 64 KiB.
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (view.getUint32(o, true) === EOCD) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) fail('is not a zip (.npz) archive (no end-of-central-directory record)');
  let entries = u16(eocd + 10);
  let cdOffset = u32(eocd + 16);
  if ((entries === 0xffff || cdOffset === U32_MAX) && eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR) {
    const z = u64(eocd - 12);
    if (u32(z) !== ZIP64_EOCD) fail('has a broken zip64 end-of-central-directory record');
    entries = u64(z + 32);
    cdOffset = u64(z + 48);
  }

  const arrays = new Map<string, NumericArray>();
  let budget = maxBytes;
  let o = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (u32(o) !== CENTRAL) fail(`has a broken zip central directory (entry ${e})`);
    const flags = u16(o + 8);
    const method = u16(o + 10);
    const crc = u32(o + 16);
    let compressed = u32(o + 20);
    let size = u32(o + 24);
    const nameLength = u16(o + 28);
    const extraLength = u16(o + 30);
    const commentLength = u16(o + 32);
    let local = u32(o + 42);
    if (o + 46 + nameLength > bytes.length) fail('is a truncated zip (.npz) archive');
    const name = new TextDecoder('utf-8').decode(bytes.subarray(o + 46, o + 46 + nameLength));
    // zip64: the fields set to 0xFFFFFFFF follow in the extra field 0x0001, in this order.
    for (let x = o + 46 + nameLength; x + 4 <= o + 46 + nameLength + extraLength;) {
      const id = u16(x);
      const len = u16(x + 2);
      if (id === 0x0001) {
        let p = x + 4;
        if (size === U32_MAX) {
          size = u64(p);
          p += 8;
        }
        if (compressed === U32_MAX) {
          compressed = u64(p);
          p += 8;
        }
        if (local === U32_MAX) local = u64(p);
      }
      x += 4 + len;
    }
    o += 46 + nameLength + extraLength + commentLength;
    if (!name.endsWith('.npy')) continue; // np.savez writes .npy members only; anything else is not an array
    const array = name.slice(0, -4);
    const origin = { file, array };
    if (flags & 1) throw arrayError(origin, 'is encrypted');
    if (u32(local) !== LOCAL) throw arrayError(origin, 'has a broken zip local header');
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + compressed > bytes.length)
      throw arrayError(origin, 'is truncated (the archive ends inside it)');
    if (size > budget)
      throw arrayError(
        origin,
        `expands to ${size} bytes, over the input limit of ${maxBytes} (SGN_MAX_INPUT_BYTES) for the whole archive`,
      );
    const stored = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = stored;
    else if (method === 8) {
      try {
        data = inflateRawSync(stored, { maxOutputLength: Math.max(1, budget) });
      } catch {
        throw arrayError(origin, 'does not inflate (corrupt deflate data, or larger than the input limit)');
      }
    } else throw arrayError(origin, `uses zip compression method ${method} (read: stored, deflate)`);
    if (data.length !== size)
      throw arrayError(origin, `inflates to ${data.length} bytes, the archive says ${size}`);
    if (crc32(data) >>> 0 !== crc) throw arrayError(origin, 'fails its CRC-32 check (corrupt archive)');
    budget -= size;
    if (arrays.has(array)) throw arrayError(origin, 'appears twice in the archive');
    arrays.set(array, parseNpy(data, origin));
  }
  return arrays;
}

/** Whether a path names a NumPy file (read as binary, not as JSON/YAML). */
export function isNumpyPath(path: string): boolean {
  return /\.np[yz]$/i.test(path);
}
