/** Percentiles and their one-line summaries, as every bench of this folder prints them. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const fmtMs = (ms: number): string => `${Math.round(ms)} ms`;

export function summary(label: string, values: readonly number[]): string {
  return `${label}: p50 ${fmtMs(percentile(values, 50))}, p90 ${fmtMs(percentile(values, 90))}, p99 ${fmtMs(percentile(values, 99))}, max ${fmtMs(Math.max(...values))} (n=${values.length})`;
}
