import { Type, type Static } from '@sinclair/typebox';
import { Obj, Str, Union } from '../../schema/common.js';
import { ResourceName } from './common.js';

const opt = Type.Optional;

export const ApiVirtualServiceSpec = Obj({
  provider: opt(
    Union({
      virtualNode: Obj({ virtualNodeName: ResourceName }),
      virtualRouter: Obj({ virtualRouterName: ResourceName }),
    }),
  ),
});
export type ApiVirtualServiceSpec = Static<typeof ApiVirtualServiceSpec>;

/** Virtual service names are hostnames; the API gives them no length bounds of their own. */
export const ServiceName = Str({ minLength: 1, maxLength: 255 });
