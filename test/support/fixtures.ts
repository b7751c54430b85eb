/** Paths of the example manifests every test reads (inside the repository, never beside it). */
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The seed mesh made whole (`examples/seed`): what `npm start` loads. */
export const SEED_COMPLETE = fileURLToPath(new URL('../../examples/seed', import.meta.url));
/** The seed blog's manifests as printed, flaws included, with its proxy IAM policy. */
export const SEED_AS_WRITTEN = fileURLToPath(new URL('../../examples/seed-as-written', import.meta.url));
