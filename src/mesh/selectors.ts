/**
 * Kubernetes `metav1.LabelSelector` semantics (matchLabels AND matchExpressions with
 * In / NotIn / Exists / DoesNotExist), plus the syntax checks `LabelSelectorAsSelector`
 * makes, because App Mesh's webhooks fail on a selector Kubernetes cannot parse.
 */
import type { Path, LabelSelector } from '../model/index.js';

export type Labels = Readonly<Record<string, string>>;

/** Absent selector: App Mesh's `namespaceSelector`/`podSelector` select nothing; `gatewayRouteSelector` everything. */
export type AbsentMeans = 'none' | 'all';

export interface SelectorProblem {
  /** Relative to the selector. */
  path: Path;
  message: string;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why a label key is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lowercase letters, digits, "-" and ".")`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key ${JSON.stringify(key)} must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit (optionally after a "prefix/")`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !VALUE.test(value)) {
    return `label value ${JSON.stringify(value)} must be at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Every reason Kubernetes would refuse this selector; empty when it is usable. */
export function selectorProblems(selector: LabelSelector | undefined): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  if (!selector) return out;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) out.push({ path: ['matchLabels', key], message: problem });
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const keyProblem = labelKeyProblem(expr.key);
    if (keyProblem) out.push({ path: ['matchExpressions', i, 'key'], message: keyProblem });
    const op = expr.operator as (typeof OPERATORS)[number];
    if (!OPERATORS.includes(op)) {
      out.push({
        path: ['matchExpressions', i, 'operator'],
        message: `operator must be one of ${OPERATORS.join(', ')}, got ${JSON.stringify(expr.operator)}`,
      });
      return;
    }
    const values = expr.values ?? [];
    if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      out.push({
        path: ['matchExpressions', i, 'values'],
        message: `operator ${op} needs at least one value`,
      });
    }
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      out.push({ path: ['matchExpressions', i, 'values'], message: `operator ${op} takes no values` });
    }
    values.forEach((v, j) => {
      const p = labelValueProblem(v);
      if (p) out.push({ path: ['matchExpressions', i, 'values', j], message: p });
    });
  });
  return out;
}

/**
 * Whether `selector` selects `labels`. An empty selector selects everything; an
 * absent one follows `absent`. Callers must not pass selectors with problems
 * (Kubernetes refuses them; treat them as selecting nothing).
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Labels,
  absent: AbsentMeans,
): boolean {
  if (!selector) return absent === 'all';
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[expr.key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expr.key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `a=b, c in (x,y), !d` — how a selector reads in messages. */
export function describeSelector(selector: LabelSelector | undefined, absent: AbsentMeans): string {
  if (!selector) return absent === 'all' ? 'everything (no selector)' : 'nothing (no selector)';
  const parts: string[] = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator} (${vals})`);
  }
  return parts.length === 0 ? 'everything (empty selector)' : parts.join(', ');
}

export function describeLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The keys a selector looks at, to show the labels that matter in a mismatch. */
export function selectorKeys(selector: LabelSelector | undefined): string[] {
  if (!selector) return [];
  const keys = new Set<string>(Object.keys(selector.matchLabels ?? {}));
  for (const e of selector.matchExpressions ?? []) keys.add(e.key);
  return [...keys];
}
