/** Import diagnostics: codes `import.*`, the source resource, the file position, the fix. */
import type { Diagnostic, ResourceId, SourcePosition } from '../model/index.js';

export type ImportCode =
  | 'import.syntax'
  | 'import.unresolved'
  | 'import.invalid'
  | 'import.unknown-field'
  | 'import.no-resources'
  | 'import.unknown-shape'
  | 'import.duplicate'
  | 'import.lossy'
  | 'import.unsupported';

export function importDiagnostic(
  severity: Diagnostic['severity'],
  code: ImportCode,
  message: string,
  where: { resource?: ResourceId; source?: SourcePosition; path?: string } = {},
): Diagnostic {
  return {
    severity,
    code,
    path: where.path ?? '',
    message,
    ...(where.resource ? { resource: where.resource } : {}),
    ...(where.source ? { source: where.source } : {}),
  };
}
