/** A value the template does not determine; the message says which flag supplies it. */
export class Unresolved extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}
