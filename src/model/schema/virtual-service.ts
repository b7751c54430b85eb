import { Type, type Static } from '@sinclair/typebox';
import {
  MeshReference,
  Obj,
  Status,
  Str,
  Union,
  VirtualNodeReference,
  VirtualRouterReference,
  exactlyOne,
} from './common.js';

const opt = Type.Optional;

export const VirtualServiceProvider = Union({
  virtualNode: Obj(
    { virtualNodeRef: opt(VirtualNodeReference), virtualNodeARN: opt(Str()) },
    exactlyOne('virtualNodeRef', 'virtualNodeARN'),
  ),
  virtualRouter: Obj(
    { virtualRouterRef: opt(VirtualRouterReference), virtualRouterARN: opt(Str()) },
    exactlyOne('virtualRouterRef', 'virtualRouterARN'),
  ),
});

export const VirtualServiceSpec = Obj({
  awsName: opt(Str({ description: 'the hostname clients call; defaults to <name>.<namespace>; immutable' })),
  provider: opt(VirtualServiceProvider),
  meshRef: opt(MeshReference),
});
export type VirtualServiceSpec = Static<typeof VirtualServiceSpec>;

export const VirtualServiceStatus = Status({ virtualServiceARN: opt(Str()) });
export type VirtualServiceStatus = Static<typeof VirtualServiceStatus>;
