// Leases: blobs and layers an operation in flight depends on. Garbage collection and removal
// skip leased keys, so a pull's content is safe between writing it and recording the image.

export class Leases {
  private readonly counts = new Map<string, number>();

  /** Holds `keys` until the returned release function is called. */
  acquire(keys: Iterable<string>): () => void {
    const held = [...new Set(keys)];
    for (const key of held) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of held) {
        const n = (this.counts.get(key) ?? 1) - 1;
        if (n <= 0) this.counts.delete(key);
        else this.counts.set(key, n);
      }
    };
  }

  /** Is `key` held by an operation in flight? */
  has(key: string): boolean {
    return this.counts.has(key);
  }
}
