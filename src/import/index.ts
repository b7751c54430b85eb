/**
 * Migration in and out: CloudFormation/CDK templates, Terraform JSON and App Mesh API
 * dumps → App Mesh API form → `v1beta2` manifests or API JSON. Pure: texts in,
 * resources and diagnostics out; reading files and calling servers is the CLI's.
 */
import { importAppMeshJson } from './appmesh-json.js';
import { importCloudFormation, type CloudFormationOptions } from './cloudformation/import-template.js';
import { mergeImports } from './merge.js';
import { importTerraform } from './terraform.js';
import type { ImportResult } from './types.js';

export type { CloudFormationOptions } from './cloudformation/import-template.js';
export type { ImportedResource, ImportResult, Origin } from './types.js';
export { describeImported, identityOf } from './types.js';
export { toManifests, renderManifests, type ManifestOptions, type Manifests } from './to-manifests.js';
export { toApiJson, apiObjectOf, sortForApi } from './to-api-json.js';
export { importAppMeshJson } from './appmesh-json.js';
export { canonicalSpec } from './canonical.js';

export const IMPORT_FORMATS = ['cloudformation', 'terraform', 'appmesh-json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface InputFile {
  path: string;
  text: string;
}

export function importFiles(
  format: ImportFormat,
  files: readonly InputFile[],
  options: CloudFormationOptions = {},
): ImportResult {
  switch (format) {
    case 'cloudformation':
      return mergeImports(files.map((f) => importCloudFormation(f.text, f.path, options)));
    case 'terraform':
      return mergeImports(files.map((f) => importTerraform(f.text, f.path)));
    case 'appmesh-json':
      return mergeImports([importAppMeshJson(files)]);
  }
}
