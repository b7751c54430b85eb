/** Migration out: what a server holds, read through its REST API or from a stopped server's data directory. */
export { readResources, type ApiCaller, type ReadOptions } from './read-api.js';
export { openDataDir, DataDirError, type DataDirReader } from './data-dir.js';
export {
  previewApply,
  resourcesOfSteps,
  graphOfResources,
  type ApplyPreview,
  type ResourceChange,
  type ChangeAction,
} from './preview.js';
