/**
 * The memory the WebAssembly kernels work in, and a first-fit allocator over it.
 *
 * Blocks are 16-byte aligned (one v128) and handed out first-fit from a free list sorted by
 * offset; a released block is merged with its free neighbours, and a free block that ends at the
 * top of the used area is given back to it. Offset 0 is never handed out. The memory grows
 * geometrically when the used area would pass its end.
 *
 * Growing a WebAssembly memory detaches every view of its old buffer. `view` (all of the memory as
 * Float64Array) is renewed here, the only place that grows it, and `grows` counts growths, so
 * that views kept elsewhere can tell when to renew themselves. (Reading `memory.buffer` instead is
 * a call into the runtime, ~0.1 us: too much per matrix-vector product.)
 */

const PAGE_BYTES = 65536;
const ALIGN = 16;

/** `bytes` rounded up to the alignment of every block: the offset where a part after it may start. */
export function alignedBytes(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

interface FreeBlock {
  ptr: number;
  size: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** All of the memory, valid until the next `alloc` (which may grow it). */
  view: Float64Array;
  /** Number of growths so far: a kept view is stale when the count has changed since it was made. */
  grows: number;
  /** Free blocks, sorted by offset; `top` is the end of the used area. */
  private readonly free: FreeBlock[] = [];
  private top = ALIGN;

  constructor(initialPages = 1) {
    this.memory = new WebAssembly.Memory({ initial: initialPages });
    this.view = new Float64Array(this.memory.buffer);
    this.grows = 0;
    // V8 treats a field as constant until it first changes, and code optimised meanwhile is
    // thrown away then: the first growth, mid-sweep, cost the Lanczos loop its first TurboFan
    // compile (~25 ms of background work, and as long in slower tiers). Changed here, before
    // anything is optimised, they are mutable from the start.
    this.view = new Float64Array(this.memory.buffer);
    this.grows = 1;
    this.grows = 0;
  }

  /** A 16-aligned block of at least `bytes` bytes; its byte offset. */
  alloc(bytes: number): number {
    const size = alignedBytes(bytes);
    const list = this.free;
    for (let k = 0; k < list.length; k++) {
      const b = list[k];
      if (b.size >= size) {
        const ptr = b.ptr;
        if (b.size === size) list.splice(k, 1);
        else {
          b.ptr += size;
          b.size -= size;
        }
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.view.byteLength;
    if (end > have) {
      // Grow by at least half the current size: fewer growths, each of which copies nothing
      // but detaches views.
      const need = Math.ceil((end - have) / PAGE_BYTES);
      this.memory.grow(Math.max(need, Math.ceil(have / PAGE_BYTES / 2)));
      this.view = new Float64Array(this.memory.buffer);
      this.grows++;
    }
    this.top = end;
    return ptr;
  }

  /** Returns the block at `ptr` (of the size it was allocated with) to the free list. */
  release(ptr: number, bytes: number): void {
    const size = alignedBytes(bytes);
    const list = this.free;
    let k = 0;
    while (k < list.length && list[k].ptr < ptr) k++;
    list.splice(k, 0, { ptr, size });
    if (k + 1 < list.length && list[k].ptr + list[k].size === list[k + 1].ptr) {
      list[k].size += list[k + 1].size;
      list.splice(k + 1, 1);
    }
    if (k > 0 && list[k - 1].ptr + list[k - 1].size === list[k].ptr) {
      list[k - 1].size += list[k].size;
      list.splice(k, 1);
      k--;
    }
    if (list[k].ptr + list[k].size === this.top) {
      this.top = list[k].ptr;
      list.splice(k, 1);
    }
  }

  /** Bytes in use (allocated and not released): for tests and leak checks. */
  usedBytes(): number {
    let free = 0;
    for (const b of this.free) free += b.size;
    return this.top - ALIGN - free;
  }
}
