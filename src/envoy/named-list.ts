/**
 * A list of named items that keeps one item per name, without a Map per list.
 *
 * A group's translation collects ~120 clusters and ~90 assignments, nearly all replayed
 * from shared units; a Map per collector, grown entry by entry, was a quarter of a full
 * translation's allocations. Collectors nest as a stack (a unit built inside a group's
 * translation, or inside another unit), one per depth at a time, so one table can keep,
 * for each name, a slot saying which list holds the name at each depth (by serial,
 * never reused) and at which position. Whoever adds the same names again and again (a
 * unit replayed into every group using it) keeps their slots and skips the lookup.
 */

/** [serial at depth 0, position at depth 0, serial at depth 1, …]. */
export type NameSlot = number[];

export class NameTable {
  private readonly byName = new Map<string, NameSlot>();

  slot(name: string): NameSlot {
    let slot = this.byName.get(name);
    if (slot === undefined) this.byName.set(name, (slot = []));
    return slot;
  }

  get size(): number {
    return this.byName.size;
  }
}

let lastSerial = 0;

export class NamedList<T> {
  readonly items: T[] = [];
  private readonly serial = ++lastSerial;

  /** `depth`: how deep the list's collector is nested; no other list of `table` at that depth may be filled at the same time. */
  constructor(
    readonly table: NameTable,
    private readonly depth: number,
  ) {}

  has(name: string): boolean {
    return this.table.slot(name)[2 * this.depth] === this.serial;
  }

  /** Adds `item` unless the list holds `name` already; whether it did. */
  addFirst(name: string, item: T): boolean {
    return this.addFirstAt(this.table.slot(name), item);
  }

  /** `addFirst` with the name's slot in this list's table. */
  addFirstAt(slot: NameSlot, item: T): boolean {
    const d = 2 * this.depth;
    if (slot[d] === this.serial) return false;
    slot[d] = this.serial;
    slot[d + 1] = this.items.length;
    this.items.push(item);
    return true;
  }

  /** Adds `item`, or puts it in the place of the one named `name` (as Map.set does). */
  set(name: string, item: T): void {
    const slot = this.table.slot(name);
    const d = 2 * this.depth;
    if (slot[d] === this.serial) this.items[slot[d + 1] as number] = item;
    else this.addFirstAt(slot, item);
  }
}
