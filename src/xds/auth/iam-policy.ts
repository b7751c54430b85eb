/**
 * The subset of IAM policy evaluation that proxy authorization needs: identity
 * policies with Allow/Deny statements over Action/NotAction and
 * Resource/NotResource, `*` and `?` wildcards, explicit Deny wins, default deny.
 *
 * Anything this evaluator cannot honour (Condition, Principal, policy variables)
 * is refused when the policy is loaded rather than silently ignored, because
 * ignoring a Condition on an Allow would grant more than the author meant.
 */
import type { Diagnostic } from '../../model/index.js';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

interface CompiledStatement {
  readonly sid: string;
  readonly allow: boolean;
  readonly actions: readonly RegExp[];
  readonly actionsNegated: boolean;
  readonly resources: readonly RegExp[];
  readonly resourcesNegated: boolean;
}

/** A validated, compiled policy. */
export class CompiledPolicy {
  /** @internal */
  constructor(
    readonly name: string,
    readonly statements: readonly CompiledStatement[],
  ) {}
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvaluationResult {
  readonly decision: Decision;
  /** `policy#Sid` (or statement index) of the deciding statement, if any. */
  readonly statement?: string;
}

/** `*` and `?` in an action: case-insensitive (IAM action names are). */
function compileAction(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) re += ch === '*' ? '.*' : ch === '?' ? '.' : escapeRe(ch);
  return new RegExp(`^${re}$`, 'i');
}

/**
 * `*` and `?` within ARN segments (split by colons); a `*` that ends a segment may
 * run past colons, as IAM documents. Case-sensitive.
 */
function compileResource(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      const next = pattern[i + 1];
      re += next === undefined || next === ':' ? '.*' : '[^:]*';
    } else if (ch === '?') re += '[^:]';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

const KNOWN_STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource']);
const KNOWN_DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);

function diag(source: string, path: string, code: string, message: string): Diagnostic {
  return { severity: 'error', code, path, message, resource: { kind: 'IAMPolicy', name: source } };
}

function stringList(v: unknown, source: string, path: string, out: Diagnostic[]): string[] | undefined {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== '')) {
    out.push(
      diag(source, path, 'iam.type', 'expected a non-empty string or a non-empty list of non-empty strings'),
    );
    return undefined;
  }
  for (const [i, s] of (list as string[]).entries()) {
    if (s.includes('${')) {
      out.push(
        diag(source, `${path}[${i}]`, 'iam.unsupported', `policy variables are not supported: "${s}"`),
      );
      return undefined;
    }
  }
  return list as string[];
}

/**
 * Validates and compiles a policy document. `source` names it in diagnostics
 * (a file name, or `principal/policies[0]`).
 */
export function compilePolicy(
  doc: unknown,
  source: string,
): { policy?: CompiledPolicy; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { diagnostics: [diag(source, '', 'iam.type', 'a policy document must be an object')] };
  }
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!KNOWN_DOCUMENT_KEYS.has(k))
      out.push(diag(source, k, 'iam.unknown-field', `unknown policy field "${k}"`));
  }
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') {
    out.push(
      diag(
        source,
        'Version',
        'iam.version',
        `Version must be "2012-10-17" or "2008-10-17", got ${JSON.stringify(d.Version)}`,
      ),
    );
  }
  const rawStatements = Array.isArray(d.Statement)
    ? d.Statement
    : d.Statement === undefined
      ? undefined
      : [d.Statement];
  if (!rawStatements) {
    out.push(diag(source, 'Statement', 'iam.required', 'Statement is required'));
    return { diagnostics: out };
  }
  const statements: CompiledStatement[] = [];
  rawStatements.forEach((raw: unknown, i: number) => {
    const path = Array.isArray(d.Statement) ? `Statement[${i}]` : 'Statement';
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      out.push(diag(source, path, 'iam.type', 'a statement must be an object'));
      return;
    }
    const s = raw as Record<string, unknown>;
    const before = out.length;
    for (const k of Object.keys(s)) {
      if (k === 'Condition' || k === 'Principal' || k === 'NotPrincipal') {
        out.push(
          diag(
            source,
            `${path}.${k}`,
            'iam.unsupported',
            `${k} is not supported in proxy authorization policies`,
          ),
        );
      } else if (!KNOWN_STATEMENT_KEYS.has(k)) {
        out.push(diag(source, `${path}.${k}`, 'iam.unknown-field', `unknown statement field "${k}"`));
      }
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      out.push(
        diag(
          source,
          `${path}.Effect`,
          'iam.effect',
          `Effect must be "Allow" or "Deny", got ${JSON.stringify(s.Effect)}`,
        ),
      );
    }
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      out.push(diag(source, path, 'iam.action', 'a statement needs exactly one of Action or NotAction'));
    }
    if ((s.Resource === undefined) === (s.NotResource === undefined)) {
      out.push(
        diag(source, path, 'iam.resource', 'a statement needs exactly one of Resource or NotResource'),
      );
    }
    const actionKey = s.Action !== undefined ? 'Action' : 'NotAction';
    const resourceKey = s.Resource !== undefined ? 'Resource' : 'NotResource';
    const actions = stringList(s[actionKey], source, `${path}.${actionKey}`, out);
    const resources = stringList(s[resourceKey], source, `${path}.${resourceKey}`, out);
    if (out.length > before || !actions || !resources) return;
    statements.push({
      sid: `${source}#${typeof s.Sid === 'string' ? s.Sid : i}`,
      allow: s.Effect === 'Allow',
      actions: actions.map(compileAction),
      actionsNegated: actionKey === 'NotAction',
      resources: resources.map(compileResource),
      resourcesNegated: resourceKey === 'NotResource',
    });
  });
  if (out.length > 0) return { diagnostics: out };
  return { policy: new CompiledPolicy(source, statements), diagnostics: [] };
}

function statementApplies(s: CompiledStatement, action: string, resource: string): boolean {
  const actionHit = s.actions.some((re) => re.test(action));
  if (actionHit === s.actionsNegated) return false;
  const resourceHit = s.resources.some((re) => re.test(resource));
  return resourceHit !== s.resourcesNegated;
}

/** IAM evaluation over identity policies: explicit Deny wins, then any Allow, else deny. */
export function evaluate(
  policies: readonly CompiledPolicy[],
  action: string,
  resource: string,
): EvaluationResult {
  let allowedBy: string | undefined;
  for (const p of policies) {
    for (const s of p.statements) {
      if (!statementApplies(s, action, resource)) continue;
      if (!s.allow) return { decision: 'ExplicitDeny', statement: s.sid };
      allowedBy ??= s.sid;
    }
  }
  return allowedBy ? { decision: 'Allow', statement: allowedBy } : { decision: 'ImplicitDeny' };
}

export function isAllowed(policies: readonly CompiledPolicy[], action: string, resource: string): boolean {
  return evaluate(policies, action, resource).decision === 'Allow';
}
