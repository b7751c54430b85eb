/** One stable order for diagnostics: by file, line, column, unlocated ones last; ties keep the order the rules found them in. */
import type { Diagnostic } from '../model/index.js';

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const sa = a.source;
  const sb = b.source;
  if (sa && !sb) return -1;
  if (!sa && sb) return 1;
  if (sa && sb) {
    if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
    if (sa.line !== sb.line) return sa.line - sb.line;
    if (sa.col !== sb.col) return sa.col - sb.col;
  }
  return 0;
}

/** Sorted copy; `Array.prototype.sort` is stable, so equal keys keep the order they were found in. */
export function sortDiagnostics(list: ReadonlyArray<Diagnostic>): Diagnostic[] {
  return [...list].sort(compareDiagnostics);
}

/**
 * Diagnostics App Mesh does not turn into admission denials: a reference to something
 * not (yet) there is accepted and waited for (appmesh.md §2.1), and reported on status.
 */
export function isReconcileTime(d: Diagnostic): boolean {
  return d.code === 'ref.not-found';
}
