/** A problem with the certificate authority that an operator must fix; the message names the file, Secret or record. */
export class CaError extends Error {
  override readonly name = 'CaError';
}
