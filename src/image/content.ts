// Whether two images hold the same thing, whatever their labels and times: what decides that an
// image pushed before this action (with no revision label) is what a run builds.

/** What a configuration says besides its content: when and how it was made, and its labels. */
const MADE = ['created', 'history', 'container', 'container_config', 'docker_version', 'author'];

/** A configuration without its labels and its making: the layers (rootfs), the platform, how it runs. */
export function contentOf(config: Record<string, unknown>): unknown {
  const content: Record<string, unknown> = { ...config };
  for (const key of MADE) delete content[key];
  const runtime = content.config;
  if (runtime && typeof runtime === 'object') {
    const { Labels: _labels, ...rest } = runtime as Record<string, unknown>;
    content.config = rest;
  }
  return content;
}

/** The same content: the same layers, platform and runtime configuration (JSON, keys in any order). */
export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonical(contentOf(a)) === canonical(contentOf(b));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
