import { Type, type Static } from '@sinclair/typebox';
import { Enum, Obj } from '../../schema/common.js';
import { IpPreference } from './common.js';

const opt = Type.Optional;

export const ApiMeshSpec = Obj({
  egressFilter: opt(Obj({ type: Enum(['ALLOW_ALL', 'DROP_ALL'] as const) })),
  serviceDiscovery: opt(Obj({ ipPreference: opt(IpPreference) })),
});
export type ApiMeshSpec = Static<typeof ApiMeshSpec>;
