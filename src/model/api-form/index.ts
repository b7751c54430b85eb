/** The App Mesh REST API form of the resources and its conversion to and from the CRD form. */
export * from './schema/index.js';
export * from './types.js';
export * from './to-crd.js';
export * from './from-crd.js';
export * from './merge.js';
export { API_ONLY_ANNOTATION, apiOnlyFieldsOf, withApiOnlyFields, type ApiOnlyFields } from './api-only.js';
export { API_METADATA_ANNOTATION, apiTagOf } from './api-tags.js';
export { renameArnKeysToApi, renameArnKeysToCrd } from './rename.js';
