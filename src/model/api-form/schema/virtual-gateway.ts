import { Type, type Static } from '@sinclair/typebox';
import { Obj, Union } from '../../schema/common.js';
import {
  BackendDefaults,
  GatewayPortProtocol,
  HttpConnectionPool,
  ListenerTlsCertificate,
  ListenerTlsMode,
  ListenerTlsValidationContext,
  Logging,
  PortNumber,
  RequestsConnectionPool,
  VirtualGatewayHealthCheckPolicy,
} from './common.js';

const opt = Type.Optional;

export const ApiVirtualGatewayListener = Obj({
  connectionPool: opt(
    Union({ grpc: RequestsConnectionPool, http: HttpConnectionPool, http2: RequestsConnectionPool }),
  ),
  healthCheck: opt(VirtualGatewayHealthCheckPolicy),
  portMapping: Obj({ port: PortNumber, protocol: GatewayPortProtocol }),
  tls: opt(
    Obj({
      certificate: ListenerTlsCertificate,
      mode: ListenerTlsMode,
      validation: opt(ListenerTlsValidationContext),
    }),
  ),
});

/** Gateway shapes equal the node shapes except that listeners are required and pools exclude tcp. */
export const ApiVirtualGatewaySpec = Obj({
  backendDefaults: opt(BackendDefaults),
  listeners: Type.Array(ApiVirtualGatewayListener),
  logging: opt(Logging),
});
export type ApiVirtualGatewaySpec = Static<typeof ApiVirtualGatewaySpec>;
