/**
 * App Mesh names (appmesh.md §1.0, §5): 1..255 characters, unique per kind within a
 * mesh (Meshes: unique overall). Two resources that map to one App Mesh name would
 * overwrite each other in App Mesh, so the later one is refused.
 */
import type { Path } from '../model/index.js';
import type { BuildContext } from './context.js';
import { relatedAt, type ResourceEntry } from './context.js';

export const MAX_AWS_NAME = 255;

/** Where a resource's App Mesh name comes from: `spec.awsName`, or `metadata.name` when defaulted. */
export function awsNamePath(e: ResourceEntry): Path {
  const explicit = (e.resource.spec as { awsName?: unknown }).awsName;
  return typeof explicit === 'string' && explicit !== '' ? ['spec', 'awsName'] : ['metadata', 'name'];
}

export function checkAwsNameLength(ctx: BuildContext): void {
  for (const e of [...ctx.entries, ...ctx.probes]) {
    if (e.kind === 'BackendGroup' || e.awsName.length <= MAX_AWS_NAME) continue;
    const path = awsNamePath(e);
    const how =
      path[0] === 'spec' ? 'spec.awsName' : `the default App Mesh name ${JSON.stringify(shorten(e.awsName))}`;
    ctx.error(
      e,
      path,
      'name.aws-name-length',
      `${how} is ${e.awsName.length} characters long; App Mesh names are 1..${MAX_AWS_NAME} characters${path[0] === 'spec' ? '' : ': set a shorter spec.awsName'}`,
    );
  }
}

/** Meshes first (names are global), then every other kind within its mesh. Also fills the ARN index. */
export function checkAwsNameUniqueness(ctx: BuildContext): void {
  const seen = new Map<string, ResourceEntry>();
  for (const e of ctx.entries) {
    if (e.kind === 'BackendGroup' || e.kind === 'GatewayRoute') continue;
    if (e.kind !== 'Mesh' && !e.mesh) continue;
    const scope = e.kind === 'Mesh' ? '' : e.mesh!.awsName;
    const key = `${scope}\u0000${e.kind}\u0000${e.awsName}`;
    const first = seen.get(key);
    if (first) {
      const where = e.kind === 'Mesh' ? '' : ` in mesh ${scope}`;
      ctx.error(
        e,
        awsNamePath(e),
        'name.duplicate',
        `${e.kind} name ${JSON.stringify(e.awsName)} is already used by ${first.id.namespace ? `${first.id.namespace}/` : ''}${first.id.name}${where}; App Mesh names must be unique per kind in a mesh`,
        [relatedAt(first, awsNamePath(first), 'the first resource with this name')],
      );
      continue;
    }
    seen.set(key, e);
    ctx.byAwsName.set(key, e);
  }
}

export function awsNameKey(meshAwsName: string, kind: string, awsName: string): string {
  return `${kind === 'Mesh' ? '' : meshAwsName}\u0000${kind}\u0000${awsName}`;
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
