/**
 * A list of named items that keeps one item per name, without a Map per list.
 *
 * A group's translation collects ~120 clusters and ~90 assignments, nearly all replayed
 * from shared units; a Map per collector, grown entry by entry, was a quarter of a full
 * translation's allocations. Collectors nest as a stack (a unit built inside a group's
 * translation, or inside another unit), one per depth at a time, so one table per run
 * can say, for each name and depth, which list holds the name there (by serial, never
 * reused) and at which position.
 */
export class NameTable {
  /** name → [serial at depth 0, position at depth 0, serial at depth 1, …]. */
  private readonly byName = new Map<string, number[]>();

  position(name: string, depth: number, serial: number): number {
    const slots = this.byName.get(name);
    return slots !== undefined && slots[2 * depth] === serial ? (slots[2 * depth + 1] as number) : -1;
  }

  record(name: string, depth: number, serial: number, position: number): void {
    let slots = this.byName.get(name);
    if (slots === undefined) this.byName.set(name, (slots = []));
    slots[2 * depth] = serial;
    slots[2 * depth + 1] = position;
  }
}

let lastSerial = 0;

export class NamedList<T> {
  readonly items: T[] = [];
  private readonly serial = ++lastSerial;

  /** `depth`: how deep the list's collector is nested; no other list of `table` at that depth may be filled at the same time. */
  constructor(
    private readonly table: NameTable,
    private readonly depth: number,
  ) {}

  has(name: string): boolean {
    return this.table.position(name, this.depth, this.serial) >= 0;
  }

  /** Adds `item` unless the list holds `name` already; whether it did. */
  addFirst(name: string, item: T): boolean {
    if (this.has(name)) return false;
    this.table.record(name, this.depth, this.serial, this.items.length);
    this.items.push(item);
    return true;
  }

  /** Adds `item`, or puts it in the place of the one named `name` (as Map.set does). */
  set(name: string, item: T): void {
    const at = this.table.position(name, this.depth, this.serial);
    if (at >= 0) this.items[at] = item;
    else {
      this.table.record(name, this.depth, this.serial, this.items.length);
      this.items.push(item);
    }
  }
}
