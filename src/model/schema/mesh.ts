import { Type, type Static } from '@sinclair/typebox';
import { Enum, LabelSelector, Obj, Status, Str, apiDefault } from './common.js';

const opt = Type.Optional;

export const MeshSpec = Obj({
  awsName: opt(Str({ description: 'App Mesh name; defaults to metadata.name; immutable' })),
  egressFilter: opt(
    Obj({ type: Enum(['ALLOW_ALL', 'DROP_ALL'] as const) }, apiDefault({ type: 'DROP_ALL' })),
  ),
  meshOwner: opt(Str({ description: 'AWS account that owns a shared mesh' })),
  meshServiceDiscovery: opt(Obj({ ipPreference: opt(Enum(['IPv6_ONLY', 'IPv4_ONLY'] as const)) })),
  namespaceSelector: opt(LabelSelector),
});
export type MeshSpec = Static<typeof MeshSpec>;

export const MeshStatus = Status({ meshARN: opt(Str()) });
export type MeshStatus = Static<typeof MeshStatus>;
