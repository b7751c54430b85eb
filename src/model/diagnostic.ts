import type { Kind } from './kinds.js';

/**
 * One problem found in user input. The same shape feeds `amime validate`, the REST
 * API's BadRequestException messages, Kubernetes admission denials and status
 * conditions, so every layer reports a problem the same way.
 */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export interface ResourceId {
  kind: Kind | string;
  namespace?: string;
  name: string;
}

export interface RelatedInfo {
  resource?: ResourceId;
  path?: string;
  source?: SourcePosition;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `mesh.no-matching-mesh`, `schema.type`. */
  code: string;
  resource?: ResourceId;
  /** Field path in the resource, e.g. `spec.routes[0].httpRoute.match`; '' for the whole resource. */
  path: string;
  message: string;
  source?: SourcePosition;
  /** Other places that belong to the same root cause (e.g. the resources it leaves without a mesh). */
  related?: RelatedInfo[];
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped kinds. */
export function formatResourceId(id: ResourceId): string {
  return id.namespace ? `${id.kind} ${id.namespace}/${id.name}` : `${id.kind} ${id.name}`;
}

export function formatSource(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** Renders a path array (`['spec','routes',0,'name']`) as `spec.routes[0].name`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One line, compiler style: `file:line:col: error: Kind ns/name: spec.x: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${formatSource(d.source)}: ` : '';
  const what = d.resource ? `${formatResourceId(d.resource)}: ` : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${d.severity}: ${what}${path}${d.message} [${d.code}]`;
}

/** A related place, as `amime validate` prints it under its diagnostic: `file:line:col: Kind ns/name: path: message`. */
export function formatRelated(r: RelatedInfo): string {
  const where = r.source ? `${formatSource(r.source)}: ` : '';
  const what = r.resource ? `${formatResourceId(r.resource)}: ` : '';
  const path = r.path ? `${r.path}: ` : '';
  return `${where}${what}${path}${r.message}`;
}

/** The diagnostic's line, then its related places indented below: how `amime validate` prints it. */
export function formatDiagnosticBlock(d: Diagnostic): string {
  return [formatDiagnostic(d), ...(d.related ?? []).map((r) => `    ${formatRelated(r)}`)].join('\n');
}

export function hasErrors(diagnostics: ReadonlyArray<Diagnostic>): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
