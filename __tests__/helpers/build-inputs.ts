import { buildSpec, type BuildInputs, type BuildSpec } from '../../src/build/buildx.js';
import { tagsOf, type Tags } from '../../src/image/tags.js';

/** Build inputs with nothing asked for: no build args or labels, and build-push-action's features all off. */
export function buildInputs(overrides: Partial<BuildInputs> = {}): BuildInputs {
  return {
    context: '/work/app',
    dockerfile: '/work/app/Dockerfile',
    buildArgs: [],
    labels: [],
    target: '',
    network: '',
    platforms: [],
    secrets: [],
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    pull: false,
    annotations: [],
    provenance: 'false',
    sbom: 'false',
    ...overrides,
  };
}

/** What a build spec is made for besides its inputs: by default r.example/team/app:v1, no environment, the epoch. */
export interface SpecContext {
  tags?: Tags;
  environment?: NodeJS.ProcessEnv;
  now?: Date;
}

/** The build spec of buildInputs(overrides). */
export function specWith(overrides: Partial<BuildInputs> = {}, context: SpecContext = {}): BuildSpec {
  return buildSpec(
    buildInputs(overrides),
    context.tags ?? tagsOf('r.example', 'team/app', 'v1', 'a'.repeat(40)),
    context.environment ?? {},
    context.now ?? new Date(0),
  );
}
