/** Builds dist/ when a source changed since the last build; true when it built. */
export function buildIfChanged(options?: { quiet?: boolean }): boolean;
