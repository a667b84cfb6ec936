// A Float32Array that grows by doubling: loading rows without JavaScript arrays of numbers.
export class GrowableFloat32 {
  private buf: Float32Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Float32Array(initial);
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** The values, trimmed to length (a copy only if the buffer has spare room). */
  values(): Float32Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}
