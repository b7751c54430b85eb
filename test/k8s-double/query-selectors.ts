/** `labelSelector=` and `fieldSelector=` query strings, for the API-server test double's list and watch. */
import type { LabelSelector } from '../../src/model/schema/index.js';
import { selectorMatches } from '../../src/mesh/selectors.js';
import type { KObject } from './object-table.js';

export type ObjectFilter = (obj: KObject) => boolean;

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/** Kubernetes label-selector syntax to a LabelSelector; throws on syntax it cannot read. */
export function parseLabelSelector(text: string): LabelSelector {
  const sel: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  for (const term of splitTerms(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      sel.matchExpressions.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^\s!=()]+)\s*!=\s*(\S*)$/.exec(term))) {
      sel.matchExpressions.push({ key: m[1]!, operator: 'NotIn', values: [m[2]!] });
    } else if ((m = /^([^\s!=()]+)\s*==?\s*(\S*)$/.exec(term))) {
      sel.matchLabels[m[1]!] = m[2]!;
    } else if ((m = /^!\s*([^\s!=()]+)$/.exec(term))) {
      sel.matchExpressions.push({ key: m[1]!, operator: 'DoesNotExist' });
    } else if ((m = /^([^\s!=()]+)$/.exec(term))) {
      sel.matchExpressions.push({ key: m[1]!, operator: 'Exists' });
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
    }
  }
  return sel;
}

const FIELDS: Readonly<Record<string, (o: KObject) => string | undefined>> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/** A filter for both selectors (absent = everything); throws on what it cannot read. */
export function objectFilter(labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  const filters: ObjectFilter[] = [];
  if (labelSelector) {
    const sel = parseLabelSelector(labelSelector);
    filters.push((o) => selectorMatches(sel, o.metadata.labels ?? {}, 'all'));
  }
  if (fieldSelector) {
    for (const term of splitTerms(fieldSelector)) {
      const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
      const get = m ? FIELDS[m[1]!] : undefined;
      if (!m || !get)
        throw new Error(`field selector not supported by the test double: ${JSON.stringify(term)}`);
      const want = m[3]!;
      const neg = m[2] === '!=';
      filters.push((o) => (get(o) === want) !== neg);
    }
  }
  return (o) => filters.every((f) => f(o));
}
