/** PEM bundles: blocks found by their armour lines, each parsed by Node's X509Certificate. */
import { X509Certificate } from 'node:crypto';
import { CaError } from './errors.js';

const BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Each certificate of a PEM bundle, normalised; `what` names the input in errors. */
export function splitPem(text: string, what: string): string[] {
  const blocks = text.match(BLOCK) ?? [];
  if (blocks.length === 0) throw new CaError(`${what} holds no PEM certificate`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b).toString();
    } catch (err) {
      throw new CaError(`certificate ${i + 1} of ${what} does not parse: ${(err as Error).message}`);
    }
  });
}
