/**
 * AssignmentIR → ClusterLoadAssignment: one locality per IR locality, weight 1 each so
 * gRPC's locality picker uses them all. An assignment a shared unit added (the same IR
 * object in many groups) is one Envoy object, encoded once (shared.ts).
 */
import type { AssignmentIR, AssignedEndpointIR } from '../ir/types.js';
import type { ClusterLoadAssignment, LbEndpoint } from '../types.js';
import { emitShared } from './shared.js';

export function assignment(ir: AssignmentIR): ClusterLoadAssignment {
  return emitShared(ir, build);
}

function build(ir: AssignmentIR): ClusterLoadAssignment {
  return {
    cluster_name: ir.clusterName,
    endpoints: ir.localities.map((l) => ({
      locality: l.zone === undefined ? {} : { zone: l.zone },
      lb_endpoints: l.endpoints.map(lbEndpoint),
      load_balancing_weight: { value: 1 },
    })),
  };
}

function lbEndpoint(ep: AssignedEndpointIR): LbEndpoint {
  return {
    endpoint: {
      address: { socket_address: { address: ep.address, port_value: ep.port } },
      ...(ep.healthCheckPort !== undefined
        ? { health_check_config: { port_value: ep.healthCheckPort } }
        : {}),
    },
    health_status: ep.health,
  };
}
