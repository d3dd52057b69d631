import * as net from 'node:net';
import { Input } from '../names.js';
import { quote, type Problems } from './problems.js';

// The grammars of single inputs: booleans, the registry's host, tags and KEY=VALUE lines.
// Names and tags follow the OCI distribution spec (see the project's notes on the registry).

const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const REPOSITORY = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** A full commit SHA: SHA-1 (40 hex digits) or SHA-256 (64). */
export const SHA = /^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$/;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);
const LINE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseBoolean(value: string, input: Input, problems: Problems): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (!['false', 'False', 'FALSE'].includes(value))
    problems.add(input, `must be \`true\` or \`false\`, not ${quote(value)}.`);
  return false;
}

export function checkRegistry(registry: string, problems: Problems): void {
  const problem = (what: string) => problems.add(Input.Registry, what);
  if (!registry) return problem('is required (`host[:port]`).');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry))
    return problem(
      `must be \`host[:port]\` without a scheme: ${quote(registry.replace(/\/\/[^/@]*@/, '//…@'))}.`,
    );
  if (registry.includes('@'))
    return problem('must not hold credentials (`user:password@`): use `username` and `api_key`.');
  if (registry.includes('/')) return problem(`must be \`host[:port]\` without a path: ${quote(registry)}.`);
  const match = REGISTRY.exec(registry);
  if (!match) return problem(`is not a host name with an optional port: ${quote(registry)}.`);
  const bracketed = /^\[(.*)\]/.exec(registry);
  if (bracketed && !net.isIPv6(bracketed[1]))
    return problem(`has an invalid IPv6 address: ${quote(registry)}.`);
  if (match[1] !== undefined) {
    const port = Number(match[1]);
    if (port < 1 || port > 65535) return problem(`has a port out of range: ${match[1]}.`);
  }
  // The action checks and skopeo pushes to one registry: forms skopeo reads otherwise are refused.
  if (bracketed)
    return problem(
      `is an IPv6 address (${quote(registry)}), which skopeo cannot push to (it answers \`invalid reference format\`): ` +
        `give a host name that resolves to it instead${bracketed[1] === '::1' ? ', such as `localhost' + (match[1] ? `:${match[1]}` : '') + '`' : ''}.`,
    );
  if (!registry.includes('.') && match[1] === undefined && registry !== 'localhost')
    return problem(
      `is a host name without a dot or a port (${quote(registry)}): skopeo would read \`${registry}/…\` as a repository on Docker Hub and push there. ` +
        `Write the registry's full host name (such as \`${registry}.example.org\`), or add its port (\`${registry}:443\`).`,
    );
}

export function checkTag(tag: string, input: Input, whenEmpty: string, problems: Problems): void {
  if (!tag) problems.add(input, whenEmpty);
  else if (tag.length > 128) problems.add(input, `is longer than 128 characters (${tag.length}).`);
  else if (!TAG.test(tag))
    problems.add(
      input,
      `is not a valid tag: ${quote(tag)} (letters, digits, _ . -, not starting with . or -).`,
    );
}

/** The non-empty lines of a multi-line input, trimmed. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A build secret's line, `id=value`: the id (trimmed), and the value after the first `=` as it is. */
export function splitSecretLine(line: string): { id: string; value: string } {
  const eq = line.indexOf('=');
  return eq < 0 ? { id: line, value: '' } : { id: line.slice(0, eq).trim(), value: line.slice(eq + 1) };
}

/** `KEY=VALUE` lines (build args, labels); a bad line is quoted by its key only, never its value. */
export function parseKeyValueLines(value: string, input: Input, problems: Problems): string[] {
  const pairs: string[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!key || !LINE_KEY.test(key))
      problems.add(input, `line ${index + 1} is not \`KEY=VALUE\`: ${quote(eq > 0 ? key + '=…' : line)}.`);
    else pairs.push(line);
  });
  return pairs;
}
