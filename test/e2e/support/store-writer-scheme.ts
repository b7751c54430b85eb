/** Keys and values the kill -9 writer uses, shared with the test that checks them. */
export function writerKey(i: number): string {
  return `kill9/${String(i).padStart(4, '0')}`;
}

export function writerValue(i: number): { i: number; payload: string } {
  return { i, payload: `value-${i}-`.padEnd(200, 'x') };
}
