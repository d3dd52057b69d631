// A run's secrets as every module may meet them, on the ground floor: the credentials, the
// list of every form a secret could take in text, and the scrubbing of text with it. Reading
// and masking them is inputs/secrets.ts's; sending them, registry/auth.ts's and skopeo's.

export interface Credentials {
  username: string;
  apiKey: string;
}

export interface Secrets {
  /** Every form of every secret that could show up in text. */
  readonly list: string[];
  /** `text` with every form of every secret replaced by ***. */
  scrub(text: string): string;
}

/** `username:key` as the Basic scheme encodes it: what is sent, and so a form to mask. */
export function basicEncoding(username: string, apiKey: string): string {
  return Buffer.from(`${username}:${apiKey}`).toString('base64');
}

/** Replaces every secret in `text` with ***. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join('***');
  return result;
}
