/**
 * A source spec → an App Mesh API spec that passes the API's own schema check, with
 * every problem at its place in the source file. Shared by the three importers.
 */
import { API_KIND_INFO, type ApiKind } from '../model/api-form/index.js';
import { formatPath, type Diagnostic, type ResourceId, checkAgainstSchema } from '../model/index.js';
import { importDiagnostic } from './diagnostics.js';
import type { SNode, SourceFile } from './source.js';
import { specFromSource, type NamingStyle } from './spec-from-source.js';

export interface CheckedSpec {
  spec: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

export function checkedSpec(
  kind: ApiKind,
  node: SNode | undefined,
  style: NamingStyle,
  file: SourceFile,
  resource: ResourceId,
): CheckedSpec {
  const schema = API_KIND_INFO[kind].spec;
  if (node === undefined) {
    if (!API_KIND_INFO[kind].specRequired) return { spec: {}, diagnostics: [] };
    return {
      spec: {},
      diagnostics: [
        importDiagnostic('error', 'import.invalid', `a ${kind} needs a spec; add one`, {
          resource,
          path: 'spec',
        }),
      ],
    };
  }
  const converted = specFromSource(schema, node, style, ['spec']);
  const diagnostics: Diagnostic[] = converted.problems.map((p) =>
    importDiagnostic(
      p.severity,
      p.severity === 'warning' ? 'import.unknown-field' : 'import.invalid',
      p.message,
      {
        resource,
        path: formatPath(p.path),
        source: file.position(p.offset),
      },
    ),
  );
  if (diagnostics.some((d) => d.severity === 'error')) return { spec: converted.value, diagnostics };
  const checks = checkAgainstSchema(schema, converted.value, {
    at: ['spec'],
    resource,
    locate: (path) => file.position(converted.offsetOf(path)),
  });
  return { spec: converted.value, diagnostics: diagnostics.concat(checks) };
}
