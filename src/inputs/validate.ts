import { Input } from '../names.js';
import { keyForms, signingSecrets } from './secrets.js';
import type { Credentials } from '../secrets.js';
import { KeyProblem, parseEncryptedKey, type EncryptedKey } from '../signing/key.js';
import type { SkopeoDownload } from '../skopeo/install.js';
import { REPOSITORY, SHA, checkRegistry, checkTag } from './grammar.js';
import { quote, type Problems } from './problems.js';
import type { RawInputs } from './read.js';

// Each input checked against what it must be, one concern per function; nothing here touches
// the file system (paths.ts does).

const API_KEY = /^zak_[A-Za-z0-9]+$/;

export function checkImageName(raw: RawInputs, problems: Problems): string {
  const { [Input.ImageName]: name, [Input.Registry]: registry } = raw;
  checkRegistry(registry, problems);
  if (!name) problems.add(Input.ImageName, 'is required (a repository such as `blumeops/devpi`).');
  else if (!REPOSITORY.test(name))
    problems.add(
      Input.ImageName,
      `is not a valid repository name: ${quote(name)} (lower-case letters, digits and . _ - separators, components joined by /).`,
    );
  else if (registry && name.split('/')[0] === registry)
    problems.add(
      Input.ImageName,
      `must not include the registry: give ${quote(name.slice(registry.length + 1))} and set \`registry\`.`,
    );
  else if (registry.length + 1 + name.length > 255)
    problems.add(Input.ImageName, 'makes a reference longer than 255 characters with the registry.');
  return name;
}

export function checkVersion(version: string, problems: Problems): string {
  checkTag(version, Input.Version, 'is required (the version tag, such as `v1.0.0`).', problems);
  if (SHA.test(version))
    problems.add(
      Input.Version,
      'must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.',
    );
  else if (version === 'latest')
    problems.add(
      Input.Version,
      'must not be `latest`: a version tag is never overwritten, so `latest` would keep its first image for good.',
    );
  return version;
}

/** The commit SHA, lower case: the commit tag. */
export function checkSha(sha: string, problems: Problems): string {
  if (!sha) problems.add(Input.Sha, 'is required: the commit SHA (defaults to `${{ github.sha }}`).');
  else if (!SHA.test(sha))
    problems.add(Input.Sha, `is not a full commit SHA (40 or 64 hex digits): ${quote(sha)}.`);
  return sha.toLowerCase();
}

/**
 * The identity and its key. Pushing needs both; without push, none reads anonymously (a pull
 * request gets no key) and a username alone does too, but a key needs its username.
 */
export function checkIdentity(raw: RawInputs, push: boolean, problems: Problems): Credentials | undefined {
  const { [Input.Username]: username, [Input.ApiKey]: apiKey } = raw;
  const keyIsZots = API_KEY.test(apiKey);
  // Never echo the value: it may be a real secret of another kind.
  if (apiKey && !keyIsZots)
    problems.add(
      Input.ApiKey,
      'is not a zot API key: it must start with `zak_` (a password is not accepted).',
    );
  if (push && !apiKey)
    problems.add(Input.ApiKey, 'is required when `push` is true (a zot API key, `zak_…`).');
  if (push && !username)
    problems.add(Input.Username, 'is required when `push` is true (the zot identity that owns the key).');
  if (username && !/^[^\s:]+$/.test(username))
    problems.add(Input.Username, 'must not contain white space or `:`.');
  if (!push && apiKey && !username)
    problems.add(Input.Username, 'is needed with `api_key`: the zot identity that owns the key.');
  return username && keyIsZots ? { username, apiKey } : undefined;
}

export function checkKeyExpiryWarningDays(value: string, problems: Problems): number {
  if (!/^\d+$/.test(value) || Number(value) > 3650)
    problems.add(Input.KeyExpiryWarningDays, `must be a whole number of days, not ${quote(value)}.`);
  return Number(value);
}

export function checkSkopeoDownload(raw: RawInputs, problems: Problems): SkopeoDownload | undefined {
  const url = raw[Input.SkopeoDownloadUrl];
  const sha256 = raw[Input.SkopeoSha256].toLowerCase();
  if (!url && !sha256) return undefined;
  const before = problems.list.length;
  if (!url) problems.add(Input.SkopeoDownloadUrl, 'is needed with `skopeo_sha256`.');
  else if (!/^https?:\/\/[^\s]+$/.test(url))
    problems.add(Input.SkopeoDownloadUrl, `is not an http(s) URL: ${quote(url)}.`);
  if (!/^[0-9a-f]{64}$/.test(sha256))
    problems.add(Input.SkopeoSha256, 'must be the SHA-256 of the download, 64 hex digits.');
  return problems.list.length === before ? { url, sha256 } : undefined;
}

/**
 * The signing key's envelope, checked before anything runs (opening it, scrypt, comes later
 * but before the build); a password without a key is refused. The key is never quoted.
 */
export function checkSigning(raw: RawInputs, problems: Problems): EncryptedKey | undefined {
  const key = raw[Input.SigningKey];
  if (!key) {
    if (raw[Input.SigningKeyPassword])
      problems.add(Input.SigningKeyPassword, 'is given without `signing_key`: give both, or neither.');
    return undefined;
  }
  try {
    return parseEncryptedKey(key);
  } catch (error) {
    if (!(error instanceof KeyProblem)) throw error;
    problems.add(error.input, error.message);
    return undefined;
  }
}

/** The signing key or its password in another input would be published or logged: refused, never echoed. */
export function checkSigningSecretsElsewhere(raw: RawInputs, problems: Problems): void {
  for (const input of inputsHolding(raw, signingSecrets(raw), [Input.SigningKey, Input.SigningKeyPassword]))
    problems.add(
      input,
      'contains the signing key or its password: it would end up in the build, the image or the log. Pass them only as `signing_key` and `signing_key_password`.',
    );
}

/** The inputs, other than `own`, whose value holds one of `forms`. */
function inputsHolding(raw: RawInputs, forms: string[], own: Input[]): Input[] {
  return Object.values(Input).filter(
    (input) => !own.includes(input) && forms.some((form) => raw[input].includes(form)),
  );
}

/**
 * A key in any other input would reach the build's argv, the image (labels are public) or the
 * log: refused, naming the input, never the value.
 */
export function checkKeyElsewhere(raw: RawInputs, problems: Problems): void {
  const apiKey = raw[Input.ApiKey];
  if (!apiKey) return;
  // Every form that is masked, and those a leak would likely take (see keyForms).
  for (const input of inputsHolding(raw, keyForms(raw[Input.Username], apiKey), [Input.ApiKey]))
    problems.add(
      input,
      input === Input.Secrets
        ? 'holds the API key: every RUN step that mounts it could read the key that pushes. Give the build its own credentials.'
        : 'contains the API key: it would end up in the build, the image or the log. Pass it only as `api_key`.',
    );
}

/** The placeholders of `tags`, each from the version or the full commit. */
const PLACEHOLDERS: Record<string, (version: string, sha: string) => string> = {
  version: (version) => version,
  sha: (_, sha) => sha,
  sha7: (_, sha) => sha.slice(0, 7),
  sha12: (_, sha) => sha.slice(0, 12),
};

/**
 * The version tag from the `tags` template (`{{version}}` by default, or such as
 * `{{version}}-{{sha7}}`): short SHAs come from the full commit, which stays the commit tag and
 * the revision label. The tag it makes is held to what a version tag must be.
 */
export function renderVersionTag(template: string, version: string, sha: string, problems: Problems): string {
  const unknown = [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
    .map((match) => match[1])
    .filter((name) => !(name in PLACEHOLDERS));
  if (unknown.length > 0) {
    problems.add(
      Input.Tags,
      `names ${unknown.map((name) => quote(`{{${name}}}`)).join(', ')}: the placeholders are ${Object.keys(
        PLACEHOLDERS,
      )
        .map((name) => `\`{{${name}}}\``)
        .join(', ')}.`,
    );
    return template;
  }
  if (!/\{\{\s*version\s*\}\}/.test(template)) {
    problems.add(
      Input.Tags,
      `must hold \`{{version}}\`: ${quote(template)} would publish every version under one tag.`,
    );
    return template;
  }
  const tag = template.replace(/\{\{\s*([a-z0-9]+)\s*\}\}/g, (_, name: string) =>
    PLACEHOLDERS[name](version, sha),
  );
  // `version` alone was checked as a tag already.
  if (tag === version) return tag;
  checkTag(tag, Input.Tags, 'is empty.', problems);
  if (SHA.test(tag))
    problems.add(Input.Tags, `makes a commit SHA (${quote(tag)}): that tag is the commit tag.`);
  return tag;
}
