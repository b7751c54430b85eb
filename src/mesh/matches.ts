/** Match rules shared by routes and gateway routes. */
import type { Path } from '../model/index.js';
import type { BuildContext } from './context.js';
import { type ResourceEntry } from './context.js';

interface MatchMethodLike {
  range?: { start?: unknown; end?: unknown };
}
interface HeaderLike {
  match?: MatchMethodLike;
}

/** `range`: start must be below end (App Mesh: "end has to be greater than start"). For headers and gRPC metadata. */
export function checkRanges(
  ctx: BuildContext,
  e: ResourceEntry,
  at: Path,
  list: ReadonlyArray<HeaderLike> | undefined,
): void {
  (list ?? []).forEach((h, k) => {
    const r = h?.match?.range;
    if (r && typeof r.start === 'number' && typeof r.end === 'number' && r.start >= r.end) {
      ctx.error(
        e,
        [...at, k, 'match', 'range'],
        'match.range',
        `range start (${r.start}) must be less than end (${r.end}): the end has to be greater than the start`,
      );
    }
  });
}

/** App Mesh: a match prefix "must always start with /" (`/` alone matches everything). */
export function checkPrefixSlash(ctx: BuildContext, e: ResourceEntry, path: Path, prefix: unknown): void {
  if (typeof prefix === 'string' && !prefix.startsWith('/')) {
    ctx.error(
      e,
      path,
      'match.prefix-slash',
      `prefix ${JSON.stringify(prefix)} must start with "/" ("/" alone matches every path)`,
    );
  }
}
