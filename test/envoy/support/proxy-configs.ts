/**
 * The configurations Envoy is asked to judge: every proxy group of the golden outputs
 * (`src/envoy/testdata/out`, as `amime render` prints them) and of example meshes
 * (translated here, as `amime serve` would).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadPathsSync } from '../../../src/load/index.js';
import { validateLoaded } from '../../../src/mesh/index.js';
import { proxyGroups } from '../../../src/envoy/groups.js';
import { translateGroupDetailed } from '../../../src/envoy/translate.js';
import { resourcesView } from '../../../src/envoy/view.js';
import type { EndpointSource } from '../../../src/envoy/endpoints.js';
import { REPO_ROOT } from '../../support/fixtures.js';
import type { GroupResources } from './static-bootstrap.js';

export interface ProxyConfig {
  /** Where it came from: `<file or folder> <group key>`. */
  readonly label: string;
  readonly group: string;
  readonly resources: GroupResources;
}

export const GOLDEN_OUT = path.join(REPO_ROOT, 'src/envoy/testdata/out');

export function goldenConfigs(dir = GOLDEN_OUT): ProxyConfig[] {
  const out: ProxyConfig[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const doc = YAML.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, GroupResources>;
    for (const [group, resources] of Object.entries(doc))
      out.push({ label: `${path.relative(REPO_ROOT, dir)}/${file} ${group}`, group, resources });
  }
  return out;
}

/** Every proxy group of the manifests under `dir`; the manifests must be free of errors unless `allowErrors`. */
export function meshConfigs(
  dir: string,
  endpoints: EndpointSource,
  options: { allowErrors?: boolean } = {},
): ProxyConfig[] {
  const { graph, diagnostics } = validateLoaded(loadPathsSync([dir]));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && !options.allowErrors)
    throw new Error(`${dir}: ${errors.map((d) => d.message).join('; ')}`);
  const rel = path.relative(REPO_ROOT, dir);
  return proxyGroups(graph).map((g) => ({
    label: `${rel} ${g.key}`,
    group: g.key,
    resources: resourcesView(translateGroupDetailed(graph, g, endpoints).resources) as GroupResources,
  }));
}
