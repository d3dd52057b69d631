import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { InputError } from './errors.js';
import { Input } from './names.js';

export interface Credentials {
  username: string;
  apiKey: string;
}

export interface Inputs {
  context: string;
  /** The Dockerfile's path, resolved against the context as the old action did. */
  dockerfile: string;
  imageName: string;
  version: string;
  registry: string;
  credentials?: Credentials;
  sha: string;
  buildArgs: string[];
  labels: string[];
  target: string;
  network: string;
  push: boolean;
  insecureRegistry: boolean;
  /** Warn when the soonest-expiring API key of the identity expires within this many days. */
  keyExpiryWarningDays: number;
  /** Where to fetch skopeo when the runner has none, and the checksum it must have. */
  skopeoDownload?: { url: string; sha256: string };
}

// Grammars from the OCI distribution spec (see the project's notes on the registry).
const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const SHA = /^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$/;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);
const API_KEY = /^zak_[A-Za-z0-9]+$/;
const BUILD_ARG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const NETWORK = /^(?:default|none|host)$/;

type Read = (name: Input) => string;

/**
 * Reads and checks every input before anything runs. All problems are gathered into one
 * InputError, each naming its input, so a workflow author fixes them in one go.
 */
export function parseInputs(read: Read, cwd = process.cwd()): Inputs {
  const problems: string[] = [];
  const problem = (input: Input, what: string): void => {
    problems.push(`\`${input}\` ${what}`);
  };

  const push = parseBoolean(read(Input.Push), Input.Push, problem, true);
  const insecureRegistry = parseBoolean(read(Input.InsecureRegistry), Input.InsecureRegistry, problem, false);

  const registry = read(Input.Registry);
  checkRegistry(registry, problem);

  const imageName = read(Input.ImageName);
  if (!imageName) problem(Input.ImageName, 'is required (a repository such as `blumeops/devpi`).');
  else if (!NAME.test(imageName))
    problem(
      Input.ImageName,
      `is not a valid repository name: ${quote(imageName)} (lower-case letters, digits and . _ - separators, components joined by /).`,
    );
  else if (registry && imageName.split('/')[0] === registry)
    problem(
      Input.ImageName,
      `must not include the registry: give ${quote(imageName.slice(registry.length + 1))} and set \`registry\`.`,
    );
  else if (registry.length + 1 + imageName.length > 255)
    problem(Input.ImageName, 'makes a reference longer than 255 characters with the registry.');

  const version = read(Input.Version);
  checkTag(version, Input.Version, 'is required (the version tag, such as `v1.0.0`).', problem);
  if (SHA.test(version))
    problem(Input.Version, 'must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.');
  else if (version === 'latest')
    problem(
      Input.Version,
      'must not be `latest`: a version tag is never overwritten, so `latest` would keep its first image for good.',
    );

  const rawSha = read(Input.Sha);
  if (!rawSha) problem(Input.Sha, 'is required: the commit SHA (defaults to `${{ github.sha }}`).');
  else if (!SHA.test(rawSha))
    problem(Input.Sha, `is not a full commit SHA (40 or 64 hex digits): ${quote(rawSha)}.`);
  const sha = rawSha.toLowerCase();

  const username = read(Input.Username);
  const apiKey = read(Input.ApiKey);
  let credentials: Credentials | undefined;
  if (apiKey && !API_KEY.test(apiKey))
    // Never echo the value: it may be a real secret of another kind.
    problem(Input.ApiKey, 'is not a zot API key: it must start with `zak_` (a password is not accepted).');
  if (push && !apiKey) problem(Input.ApiKey, 'is required when `push` is true (a zot API key, `zak_…`).');
  if (push && !username)
    problem(Input.Username, 'is required when `push` is true (the zot identity that owns the key).');
  if (username && !/^[^\s:]+$/.test(username))
    problem(Input.Username, 'must not contain white space or `:`.');
  if (username && apiKey && API_KEY.test(apiKey)) credentials = { username, apiKey };
  // Without push, a username alone reads anonymously (a pull request gets no key).
  else if (!push && apiKey && !username)
    problem(Input.Username, 'is needed with `api_key`: the zot identity that owns the key.');

  const context = read(Input.Context);
  const dockerfileInput = read(Input.Dockerfile) || 'Dockerfile';
  let dockerfile = '';
  if (!context) problem(Input.Context, 'is required (the build context path).');
  else {
    const contextPath = path.resolve(cwd, context);
    if (!isDirectory(contextPath))
      problem(Input.Context, `is not a directory: ${quote(context)} (resolved to ${contextPath}).`);
    else {
      dockerfile = path.resolve(contextPath, dockerfileInput);
      if (!isFile(dockerfile))
        problem(
          Input.Dockerfile,
          `does not name a file: ${quote(dockerfileInput)} (relative to the context, resolved to ${dockerfile}).`,
        );
    }
  }

  const buildArgs = parseKeyValueLines(read(Input.BuildArgs), Input.BuildArgs, problem);
  const labels = parseKeyValueLines(read(Input.Labels), Input.Labels, problem);

  const target = read(Input.Target);
  if (target && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(target))
    problem(Input.Target, `is not a build stage name: ${quote(target)}.`);
  const network = read(Input.Network);
  if (network && !NETWORK.test(network))
    problem(Input.Network, `must be \`default\`, \`none\` or \`host\`, not ${quote(network)}.`);

  const warningDaysInput = read(Input.KeyExpiryWarningDays);
  const keyExpiryWarningDays = warningDaysInput === '' ? 14 : Number(warningDaysInput);
  if (!/^\d+$/.test(warningDaysInput || '14') || keyExpiryWarningDays > 3650)
    problem(Input.KeyExpiryWarningDays, `must be a whole number of days, not ${quote(warningDaysInput)}.`);

  const skopeoUrl = read(Input.SkopeoDownloadUrl);
  const skopeoSha256 = read(Input.SkopeoSha256).toLowerCase();
  let skopeoDownload: Inputs['skopeoDownload'];
  if (skopeoUrl || skopeoSha256) {
    if (!skopeoUrl) problem(Input.SkopeoDownloadUrl, 'is needed with `skopeo_sha256`.');
    else if (!/^https?:\/\/[^\s]+$/.test(skopeoUrl))
      problem(Input.SkopeoDownloadUrl, `is not an http(s) URL: ${quote(skopeoUrl)}.`);
    if (!/^[0-9a-f]{64}$/.test(skopeoSha256))
      problem(Input.SkopeoSha256, 'must be the SHA-256 of the download, 64 hex digits.');
    if (problems.length === 0) skopeoDownload = { url: skopeoUrl, sha256: skopeoSha256 };
  }

  // A key in any other input would reach the build's argv, the image (labels are public) or
  // the log: refused, naming the input, never the value.
  if (apiKey)
    for (const input of Object.values(Input))
      if (input !== Input.ApiKey && read(input).includes(apiKey))
        problem(
          input,
          'contains the API key: it would end up in the build, the image or the log. Pass it only as `api_key`.',
        );

  // Another problem may quote an input that holds the key: never the key itself.
  if (problems.length > 0)
    throw new InputError(apiKey ? problems.map((p) => p.split(apiKey).join('***')) : problems);
  return {
    context: path.resolve(cwd, context),
    dockerfile,
    imageName,
    version,
    registry,
    credentials,
    sha,
    buildArgs,
    labels,
    target,
    network,
    push,
    insecureRegistry,
    keyExpiryWarningDays,
    skopeoDownload,
  };
}

function parseBoolean(
  value: string,
  input: Input,
  problem: (input: Input, what: string) => void,
  fallback: boolean,
): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  problem(input, `must be \`true\` or \`false\`, not ${quote(value)}.`);
  return fallback;
}

function checkRegistry(registry: string, problem: (input: Input, what: string) => void): void {
  if (!registry) {
    problem(Input.Registry, 'is required (`host[:port]`).');
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry)) {
    problem(
      Input.Registry,
      `must be \`host[:port]\` without a scheme: ${quote(registry.replace(/\/\/[^/@]*@/, '//…@'))}.`,
    );
    return;
  }
  if (registry.includes('@')) {
    problem(Input.Registry, 'must not hold credentials (`user:password@`): use `username` and `api_key`.');
    return;
  }
  if (registry.includes('/')) {
    problem(Input.Registry, `must be \`host[:port]\` without a path: ${quote(registry)}.`);
    return;
  }
  const match = REGISTRY.exec(registry);
  if (!match) {
    problem(Input.Registry, `is not a host name with an optional port: ${quote(registry)}.`);
    return;
  }
  const bracketed = /^\[(.*)\]/.exec(registry);
  if (bracketed && !net.isIPv6(bracketed[1])) {
    problem(Input.Registry, `has an invalid IPv6 address: ${quote(registry)}.`);
    return;
  }
  if (match[1] !== undefined) {
    const port = Number(match[1]);
    if (port < 1 || port > 65535) problem(Input.Registry, `has a port out of range: ${match[1]}.`);
  }
}

function checkTag(
  tag: string,
  input: Input,
  whenEmpty: string,
  problem: (input: Input, what: string) => void,
): void {
  if (!tag) problem(input, whenEmpty);
  else if (tag.length > 128) problem(input, `is longer than 128 characters (${tag.length}).`);
  else if (!TAG.test(tag))
    problem(input, `is not a valid tag: ${quote(tag)} (letters, digits, _ . -, not starting with . or -).`);
}

function parseKeyValueLines(
  value: string,
  input: Input,
  problem: (input: Input, what: string) => void,
): string[] {
  const pairs: string[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!key || !BUILD_ARG_KEY.test(key))
      problem(input, `line ${index + 1} is not \`KEY=VALUE\`: ${quote(eq > 0 ? key + '=…' : line)}.`);
    else pairs.push(line);
  });
  return pairs;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Quotes a value for a message, making control characters visible. */
function quote(value: string): string {
  return JSON.stringify(value);
}
