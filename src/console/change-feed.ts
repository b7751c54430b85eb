/**
 * Tells the console's open pages that something they show changed (the mesh was
 * translated again, a proxy connected, ACKed, NACKed or left), at most every
 * `intervalMs`: the pages then read the JSON again. Server-sent events carry it.
 */
export type ChangeListener = (seq: number) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 150) {}

  /** Something changed; listeners hear of it once per interval. */
  notify = (): void => {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.seq++;
      for (const l of this.listeners) l(this.seq);
    }, this.intervalMs);
    this.timer.unref();
  };

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }
}
