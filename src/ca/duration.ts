/** Durations as operators write them: `24h`, `90m`, `60s`, `1500ms`, `2d`. */
export function parseDuration(value: string, what: string, minMs = 1000): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : NaN;
  if (!m || !(ms >= minMs))
    throw new RangeError(
      `${what}: expected a duration of at least ${minMs / 1000}s such as 24h, 90m or 60s, got "${value}"`,
    );
  return ms;
}
