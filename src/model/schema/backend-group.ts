import { Type, type Static } from '@sinclair/typebox';
import { MeshReference, Obj, Str } from './common.js';

const opt = Type.Optional;

export const BackendGroupSpec = Obj({
  virtualservices: opt(
    Type.Array(
      Obj({
        name: Str({ description: "VirtualService name; '*' means every VirtualService in that namespace" }),
        namespace: opt(Str()),
      }),
    ),
  ),
  meshRef: opt(MeshReference),
});
export type BackendGroupSpec = Static<typeof BackendGroupSpec>;

export const BackendGroupStatus = Obj({});
export type BackendGroupStatus = Static<typeof BackendGroupStatus>;
