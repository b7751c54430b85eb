export * from './common.js';
export * from './mesh.js';
export * from './virtual-node.js';
export * from './virtual-service.js';
export * from './virtual-router.js';
export * from './virtual-gateway.js';
export * from './gateway-route.js';
