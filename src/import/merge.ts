/**
 * Several inputs → one set of resources. The same resource given twice the same way
 * (a describe-* dump beside the list it came from, two copies of one template) is
 * kept once; given twice differently it is an error naming both places.
 */
import { type Diagnostic, formatSource } from '../model/index.js';
import { sameJson } from '../api/index.js';
import { importDiagnostic } from './diagnostics.js';
import { describeImported, identityOf, type ImportedResource, type ImportResult } from './types.js';

export function mergeImports(results: readonly ImportResult[]): ImportResult {
  const byIdentity = new Map<string, ImportedResource>();
  const diagnostics: Diagnostic[] = [];
  for (const result of results) {
    for (const d of result.diagnostics) diagnostics.push(d);
    for (const r of result.resources) {
      const key = identityOf(r);
      const first = byIdentity.get(key);
      if (!first) {
        byIdentity.set(key, r);
        continue;
      }
      if (sameJson(first.spec, r.spec) && sameJson(first.tags ?? [], r.tags ?? [])) continue;
      diagnostics.push(
        importDiagnostic(
          'error',
          'import.duplicate',
          `${describeImported(r)} is defined twice, differently${first.origin.source ? ` (first at ${formatSource(first.origin.source)})` : ''}; keep one of them`,
          { resource: r.origin.id, ...(r.origin.source ? { source: r.origin.source } : {}) },
        ),
      );
    }
  }
  return { resources: [...byIdentity.values()], diagnostics };
}
