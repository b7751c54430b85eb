/**
 * The mesh-level mTLS switch, beyond App Mesh: one setting on the Mesh turns on mTLS
 * with certificates from Amime's CA for every virtual node listener and every backend
 * that has no TLS of its own, so no VirtualNode needs editing.
 *
 * Set as an annotation on the Mesh (Kubernetes, YAML) or as a tag of the same key and
 * value on the mesh (REST API: `aws appmesh tag-resource`):
 *
 * - `amime.io/mtls: DISABLED` (default) — App Mesh's behaviour, nothing added.
 * - `amime.io/mtls: PERMISSIVE` — listeners accept mTLS and plaintext; callers
 *   originate mTLS. With `amime.io/mtls-callers: plaintext`, callers keep sending
 *   plaintext (the first, nothing-can-break step of a migration).
 * - `amime.io/mtls: STRICT` — listeners accept only mTLS from the mesh's workloads.
 *
 * A listener or backend with its own `tls` keeps it: explicit configuration wins.
 */
import type { ResolvedMesh } from '../mesh/index.js';
import { meshSetting as setting } from './mesh-setting.js';

export const MESH_MTLS_ANNOTATION = 'amime.io/mtls';
export const MESH_MTLS_CALLERS_ANNOTATION = 'amime.io/mtls-callers';
export type MeshMtlsMode = 'DISABLED' | 'PERMISSIVE' | 'STRICT';

export interface MeshMtls {
  mode: MeshMtlsMode;
  /** Whether callers originate mTLS to listeners the switch covers. */
  callersOriginate: boolean;
  /** Set when a value is not understood (the switch then stays off). */
  problem?: string;
}

const memo = new WeakMap<object, MeshMtls>();

export function meshMtls(mesh: ResolvedMesh): MeshMtls {
  const hit = memo.get(mesh.resource);
  if (hit) return hit;
  const raw = setting(mesh, MESH_MTLS_ANNOTATION)?.trim().toUpperCase() ?? 'DISABLED';
  const callers = setting(mesh, MESH_MTLS_CALLERS_ANNOTATION)?.trim().toLowerCase();
  let result: MeshMtls;
  if (raw !== 'DISABLED' && raw !== 'PERMISSIVE' && raw !== 'STRICT') {
    result = {
      mode: 'DISABLED',
      callersOriginate: false,
      problem: `Mesh ${mesh.awsName}: ${MESH_MTLS_ANNOTATION} "${raw}" is not DISABLED, PERMISSIVE or STRICT; mesh mTLS stays off`,
    };
  } else if (callers !== undefined && callers !== 'plaintext' && callers !== 'mtls') {
    result = {
      mode: raw,
      callersOriginate: raw !== 'DISABLED',
      problem: `Mesh ${mesh.awsName}: ${MESH_MTLS_CALLERS_ANNOTATION} "${callers}" is not plaintext or mtls; callers originate mTLS`,
    };
  } else {
    // STRICT listeners refuse plaintext: callers must originate whatever the setting says.
    result = {
      mode: raw,
      callersOriginate: raw === 'STRICT' || (raw === 'PERMISSIVE' && callers !== 'plaintext'),
    };
  }
  memo.set(mesh.resource, result);
  return result;
}
