import { isAlias, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * The node each alias of a document stands for, found in one pass. `Alias.resolve`
 * walks the whole document on every call, so resolving every alias with it is
 * quadratic: a 400 kB list sharing one anchor took 30 s. An alias names the last node
 * anchored with its name before it in document order, which is the order `visit`
 * walks in, so a running map of anchors gives the same answer as `resolve`.
 */
export type AliasTargets = ReadonlyMap<Alias, Node | undefined>;

const cache = new WeakMap<Document.Parsed, AliasTargets>();

export function aliasTargets(doc: Document.Parsed): AliasTargets {
  let targets = cache.get(doc);
  if (targets) return targets;
  const anchors = new Map<string, Node>();
  const found = new Map<Alias, Node | undefined>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) found.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  targets = found;
  cache.set(doc, targets);
  return targets;
}
