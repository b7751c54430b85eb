export * from './kinds.js';
export * from './diagnostic.js';
export * from './resources.js';
export * from './names.js';
export {
  checkObject,
  type ObjectCheckResult,
  type ObjectCheckOptions,
  type PartialResource,
} from './validate-object.js';
export { checkAgainstSchema, type Path, type PathLocator } from './validate-schema.js';
export * from './schema/index.js';
