import { UserError } from '../errors.js';
import { runTool } from '../process/tools.js';

/**
 * What the docker CLI says about the builder it will use and the engine behind it. The CLI is
 * asked, not the environment read: it already resolves DOCKER_HOST, DOCKER_CONTEXT, the current
 * context and BUILDX_BUILDER, so skopeo reads exactly the engine the build wrote to.
 */
export interface BuilderFacts {
  /** buildx's driver: `docker`, `docker-container`, `remote`, `kubernetes`. */
  driver: string;
  /** The engine stores images in containerd (`containerd-snapshotter`), so the docker driver exports OCI. */
  containerdStore: boolean;
}

export interface EngineEndpoint {
  /** `unix:///…` or `tcp://…`, as the current docker context resolves it. */
  host: string;
  /** The endpoint needs TLS (DOCKER_TLS_VERIFY, or a context with TLS material). */
  tls: boolean;
  /** The oldest Docker API version the engine accepts (1.24 from Docker 25, 1.44 from Docker 29). */
  minApiVersion: string;
}

/** How the built image reaches skopeo. */
export type HandOverKind = 'oci-layout' | 'engine-daemon' | 'engine-archive' | 'source-archive';

/** The Docker API version skopeo's `docker-daemon:` transport speaks (containers/image pins it). */
export const SKOPEO_DAEMON_API = '1.22';

const PROBE_TIMEOUT = 60;

/**
 * The current builder's driver and the engine's image store: two docker commands, at once.
 * When both fail, buildx's failure is the one thrown: a missing plugin is named before an engine
 * that is not reachable, whichever answered first.
 */
export async function probeBuilder(): Promise<BuilderFacts> {
  const [inspect, info] = await Promise.allSettled([
    runTool('docker', ['buildx', 'inspect'], { silent: true, timeoutSeconds: PROBE_TIMEOUT }),
    runTool('docker', ['info', '--format', '{{json .DriverStatus}}'], {
      silent: true,
      timeoutSeconds: PROBE_TIMEOUT,
    }),
  ]);
  if (inspect.status === 'rejected') throw inspect.reason;
  if (info.status === 'rejected') throw info.reason;
  return {
    driver: parseDriver(inspect.value.stdout),
    containerdStore: usesContainerdStore(info.value.stdout),
  };
}

/** The engine's endpoint and the oldest API it accepts: two docker commands, at once. */
export async function probeEndpoint(): Promise<EngineEndpoint> {
  const [context, version] = await Promise.all([
    runTool('docker', ['context', 'inspect', '--format', '{{json .}}'], {
      silent: true,
      timeoutSeconds: PROBE_TIMEOUT,
    }),
    runTool('docker', ['version', '--format', '{{.Server.MinAPIVersion}}'], {
      silent: true,
      timeoutSeconds: PROBE_TIMEOUT,
    }),
  ]);
  return { ...parseContext(context.stdout, process.env), minApiVersion: version.stdout.trim() };
}

/** `Driver: docker-container` from `docker buildx inspect`. */
export function parseDriver(inspectOutput: string): string {
  const driver = /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1];
  if (!driver)
    throw new UserError(
      `Could not tell which driver the buildx builder uses: \`docker buildx inspect\` said ${JSON.stringify(inspectOutput.slice(0, 200))}.`,
    );
  return driver;
}

/** `docker info`'s DriverStatus names containerd's snapshotter when the containerd image store is on. */
export function usesContainerdStore(driverStatusJson: string): boolean {
  try {
    const status = JSON.parse(driverStatusJson) as [string, string][] | null;
    return (status ?? []).some(
      ([key, value]) => key === 'driver-type' && value.startsWith('io.containerd.snapshotter'),
    );
  } catch {
    return false;
  }
}

export function parseContext(
  contextJson: string,
  env: NodeJS.ProcessEnv,
): Omit<EngineEndpoint, 'minApiVersion'> {
  const context = JSON.parse(contextJson) as {
    Endpoints?: { docker?: { Host?: string } };
    TLSMaterial?: Record<string, unknown>;
  };
  const host = context.Endpoints?.docker?.Host;
  if (!host) throw new UserError('The current docker context names no engine endpoint.');
  const tls = Boolean(env.DOCKER_TLS_VERIFY) || Object.keys(context.TLSMaterial ?? {}).length > 0;
  return { host, tls };
}

/**
 * The builder exports an OCI layout itself (any driver but `docker`, or the docker driver on the
 * containerd image store): skopeo then pushes from that folder and the engine is not involved.
 */
export function canExportOci(builder: BuilderFacts): boolean {
  return builder.driver !== 'docker' || builder.containerdStore;
}

/**
 * Where skopeo's `docker-daemon:` transport can read this engine, in the form skopeo takes
 * (`unix://…`, or `http://host:port` for plain tcp); or why it cannot.
 */
export function skopeoDaemonAccess(endpoint: EngineEndpoint): { host: string } | { why: string } {
  const { host, tls, minApiVersion } = endpoint;
  if (tls) return { why: `the engine at ${host} needs TLS, and skopeo would need its client certificates` };
  if (compareApiVersions(minApiVersion, SKOPEO_DAEMON_API) > 0)
    return {
      why: `the engine at ${host} refuses Docker API versions below ${minApiVersion}, and skopeo's docker-daemon transport speaks ${SKOPEO_DAEMON_API}`,
    };
  if (host.startsWith('unix://')) return { host };
  if (host.startsWith('tcp://')) return { host: `http://${host.slice('tcp://'.length)}` };
  return { why: `skopeo cannot reach an engine at ${host}` };
}

/** Compares `1.24` with `1.22` numerically; an unreadable version counts as newer than any. */
export function compareApiVersions(a: string, b: string): number {
  const parse = (v: string) => (/^\d+\.\d+$/.test(v) ? v.split('.').map(Number) : undefined);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return x ? -1 : y ? 1 : 0;
  return x[0] !== y[0] ? Math.sign(x[0] - y[0]) : Math.sign(x[1] - y[1]);
}
