/**
 * Runs write operations one at a time. Validation reads the mesh, then the write lands:
 * two concurrent creates must not both pass a quota or both see a name as free. The
 * store's version checks still guard against writers in other processes.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
