import { lines, splitSecretLine } from './grammar.js';
import { Input } from '../names.js';
import type { RawInputs } from './read.js';
import { surface } from '../report/surface.js';
import { basicEncoding, scrub, type Secrets } from '../secrets.js';

// The run's secrets are the API key, the build secrets, and the signing key and its password.
// They are read and masked here, before anything could print them, in every form a log could
// show (see keyForms and signingSecrets; each build secret's value), and the list is handed to
// whatever runs a tool or prints an error, which scrubs its output with it.

export function readSecrets(
  raw: RawInputs,
  mask: (secret: string) => void = (secret) => surface().mask(secret),
): Secrets {
  const apiKey = raw[Input.ApiKey];
  const list = apiKey ? keyForms(raw[Input.Username], apiKey) : [];
  for (const line of lines(raw[Input.Secrets])) {
    const { value } = splitSecretLine(line);
    if (value) list.push(value);
  }
  list.push(...signingSecrets(raw));
  for (const secret of list) mask(secret);
  return { list, scrub: (text) => scrub(text, list) };
}

/**
 * Every form in which the key could leak into text, an image or a log: as it is; the Basic
 * header's encoding of `username:key`; base64 (and base64url) of the key at each of the three
 * byte alignments it may have inside a longer encoded text, as GitHub's masker registers them
 * (only the characters that do not depend on the bytes around it); URL-encoded; JSON-escaped.
 * Derived forms shorter than four base64 groups are left out: masking them would blank the log.
 */
export function keyForms(username: string, apiKey: string): string[] {
  const bytes = Buffer.from(apiKey);
  const aligned = [0, 1, 2].flatMap((shift) => {
    const whole = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
    return [whole.toString('base64'), whole.toString('base64url')];
  });
  const basic = basicEncoding(username, apiKey);
  const forms = [
    apiKey,
    basic,
    encodeURIComponent(basic),
    ...aligned,
    encodeURIComponent(apiKey),
    JSON.stringify(apiKey).slice(1, -1),
  ];
  return [...new Set(forms)].filter((form, index) => index < 2 || form.length >= MIN_MASKED);
}

/** The shortest derived form worth masking (four base64 groups). */
const MIN_MASKED = 16;

/** The shortest signing password masked (and refused in other inputs): a shorter one would blank the log. */
export const MIN_MASKED_PASSWORD = 8;

/**
 * The signing key's secrets as text could show them: each line of its PEM body (a runner masks
 * line by line, so the whole multi-line value would never match), and its password when it is
 * long enough to mask safely.
 */
export function signingSecrets(raw: RawInputs): string[] {
  const body = raw[Input.SigningKey]
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('-----') && line.length >= MIN_MASKED);
  const password = raw[Input.SigningKeyPassword];
  return password.length >= MIN_MASKED_PASSWORD ? [...body, password] : body;
}
