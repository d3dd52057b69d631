import { Input } from '../names.js';
import type { RawInputs } from './read.js';
import { quote, type Problems } from './problems.js';

/** What a signing key writes: the `.sig` tag, a Sigstore bundle referrer, or both. */
export interface SignatureFormats {
  /** The `.sig` tag (simple signing): podman, skopeo, CRI-O, bootc and cosign 2 read it. */
  sig: boolean;
  /** A Sigstore bundle pushed as an OCI 1.1 referrer: cosign 3 reads it by default. */
  bundle: boolean;
}

const NAMED: Record<string, SignatureFormats> = {
  sig: { sig: true, bundle: false },
  bundle: { sig: false, bundle: true },
  both: { sig: true, bundle: true },
};

/**
 * `signature_formats`: `sig`, `bundle` or `both` (empty: both), also as a list of the two
 * (`sig,bundle`). Each consumer reads one format, so both is the default.
 */
export function checkSignatureFormats(raw: RawInputs, problems: Problems): SignatureFormats {
  const value = raw[Input.SignatureFormats].trim() || 'both';
  const named = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((word) => NAMED[word]);
  if (named.some((formats) => formats === undefined)) {
    problems.add(Input.SignatureFormats, `is ${quote(value)}: give \`sig\`, \`bundle\` or \`both\`.`);
    return NAMED.both;
  }
  return { sig: named.some((f) => f.sig), bundle: named.some((f) => f.bundle) };
}
