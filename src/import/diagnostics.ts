/** Import diagnostics: codes `import.*`, the source resource, the file position, the fix. */
import type { Diagnostic, ResourceId, SourcePosition } from '../model/index.js';
import type { SourceFile } from './source.js';
import type { ImportResult } from './types.js';

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

/** An input with nothing to import in it: one error, no resources. */
export function nothingImported(code: ImportCode, message: string, source: SourcePosition): ImportResult {
  return { resources: [], diagnostics: [importDiagnostic('error', code, message, { source })] };
}

/** The parser's errors as diagnostics; `explain` adds what the file should be (and where). */
export function syntaxErrors(
  errors: ReadonlyArray<{ offset: number; message: string }>,
  file: SourceFile,
  explain: (e: { offset: number; message: string }) => string,
): Diagnostic[] {
  const all = errors.length > 0 ? errors : [{ offset: 0, message: 'the file is empty' }];
  return all.map((e) =>
    importDiagnostic('error', 'import.syntax', `${e.message}${explain(e)}`, {
      source: file.position(e.offset),
    }),
  );
}
