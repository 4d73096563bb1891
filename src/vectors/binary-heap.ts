/**
 * A min-heap of (key, node) pairs in parallel typed arrays, reused across searches so the hot loop
 * allocates nothing. For a max-heap, push negated keys.
 */
export class NodeHeap {
  private keys: Float64Array;
  private nodes: Int32Array;
  size = 0;

  constructor(initialCapacity = 64) {
    this.keys = new Float64Array(Math.max(1, initialCapacity));
    this.nodes = new Int32Array(Math.max(1, initialCapacity));
  }

  clear(): void {
    this.size = 0;
  }

  /** The smallest key; only meaningful when size > 0. */
  get topKey(): number {
    return this.keys[0]!;
  }

  /** The node of the smallest key; only meaningful when size > 0. */
  get topNode(): number {
    return this.nodes[0]!;
  }

  push(key: number, node: number): void {
    if (this.size === this.keys.length) this.grow();
    const { keys, nodes } = this;
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const parentKey = keys[parent]!;
      if (parentKey <= key) break;
      keys[at] = parentKey;
      nodes[at] = nodes[parent]!;
      at = parent;
    }
    keys[at] = key;
    nodes[at] = node;
  }

  /** Removes the smallest entry and returns its node (read topKey first if the key is needed). */
  pop(): number {
    const { keys, nodes } = this;
    const top = nodes[0]!;
    const last = --this.size;
    if (last === 0) return top;
    const key = keys[last]!;
    const node = nodes[last]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= key) break;
      keys[at] = keys[child]!;
      nodes[at] = nodes[child]!;
      at = child;
    }
    keys[at] = key;
    nodes[at] = node;
    return top;
  }

  get byteLength(): number {
    return this.keys.byteLength + this.nodes.byteLength;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const nodes = new Int32Array(this.nodes.length * 2);
    nodes.set(this.nodes);
    this.nodes = nodes;
  }
}
