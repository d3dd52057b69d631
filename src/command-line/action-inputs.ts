import { Input } from '../names.js';

// action.yaml's inputs as the command line needs them (the bundle cannot read action.yaml): each
// input's description for --help, and its default when neither a flag nor the environment gives
// it. __tests__/repo/command-line.test.ts holds this table to action.yaml, row for row. An input
// missing here still has its flag and environment variable; only its help and default wait.

export interface ActionInput {
  description: string;
  /** action.yaml's default: a value, or a `${{ github.<name> }}` expression (see command-line/options.ts). */
  default?: string;
  required?: true;
}

export const ACTION_INPUTS: Partial<Record<Input, ActionInput>> = {
  [Input.Context]: { description: 'Build context path. Required unless `source` is given.' },
  [Input.Dockerfile]: { description: 'Dockerfile path, relative to the context.', default: 'Dockerfile' },
  [Input.ImageName]: {
    description: 'Repository without the registry, e.g. `blumeops/devpi`.',
    required: true,
  },
  [Input.Version]: { description: 'The version tag, e.g. `v1.0.0`. Never overwritten.', required: true },
  [Input.Registry]: {
    description: 'Registry `host[:port]`, without a scheme.',
    default: 'registry.ops.eblu.me',
  },
  [Input.Username]: { description: 'The zot identity that owns the API key. Required when pushing.' },
  [Input.ApiKey]: {
    description: 'The zot API key (`zak_...`). Required when pushing. Pass it from a secret.',
  },
  [Input.Sha]: {
    description: "The commit, pushed as the second tag and recorded in the image's revision label.",
    default: '${{ github.sha }}',
  },
  [Input.BuildArgs]: { description: 'Build arguments, one `KEY=VALUE` a line.' },
  [Input.Labels]: {
    description:
      'Extra image labels, one `KEY=VALUE` a line (the OCI revision and version labels are always set).',
  },
  [Input.Target]: { description: 'The build stage to build (`docker buildx build --target`).' },
  [Input.Network]: {
    description: 'Networking for RUN instructions during the build (`default`, `none` or `host`).',
  },
  [Input.Push]: { description: '`false`: validate, check the registry and build only.', default: 'true' },
  [Input.InsecureRegistry]: {
    description: 'Allow plain HTTP or an unverified certificate (a test registry on loopback).',
    default: 'false',
  },
  [Input.KeyExpiryWarningDays]: {
    description: "Warn when the identity's soonest-expiring zot API key expires within this many days.",
    default: '14',
  },
  [Input.SkopeoDownloadUrl]: {
    description: 'Where to download skopeo (a binary or a .tar.gz holding one) when the runner has none.',
  },
  [Input.SkopeoSha256]: {
    description: 'The SHA-256 the skopeo download must have; required with `skopeo_download_url`.',
  },
  [Input.Platforms]: {
    description:
      "Platforms to build, separated by commas or lines, e.g. `linux/amd64,linux/arm64` (empty: the engine's own). Two or more are pushed as one OCI image index; they need the containerd image store or a `docker-container` builder.",
  },
  [Input.Secrets]: {
    description:
      'Build secrets, one `id=value` a line, for `RUN --mount=type=secret,id=...`. Handed to buildx through its environment, masked, never in the image.',
  },
  [Input.CacheFrom]: {
    description:
      'Cache sources, one a line, each as `docker buildx build --cache-from` takes it (`type=local,src=...`).',
  },
  [Input.CacheTo]: {
    description:
      'Cache exports, one a line, each as `docker buildx build --cache-to` takes it (`type=local,dest=...`).',
  },
  [Input.NoCache]: { description: '`true`: build without the build cache (`--no-cache`).', default: 'false' },
  [Input.Pull]: {
    description: '`true`: always pull a newer version of the base images (`--pull`).',
    default: 'false',
  },
  [Input.Annotations]: {
    description:
      'Extra OCI annotations, one `KEY=VALUE` a line, on the manifest and the index (the source, revision, version and created annotations are always set where the builder writes OCI).',
  },
  [Input.Provenance]: {
    description: '`true`, or buildx options such as `mode=max`: add a provenance attestation to the index.',
    default: 'false',
  },
  [Input.Sbom]: {
    description: '`true`, or buildx options such as `generator=...`: add an SBOM attestation to the index.',
    default: 'false',
  },
  [Input.SigningKey]: {
    description:
      'An encrypted ECDSA P-256 private key (the PEM `cosign generate-key-pair` or `skopeo generate-sigstore-key` writes), from a secret. When given, every published digest is signed (a sigstore signature under `sha256-<hex>.sig`) before the version tag is written.',
  },
  [Input.SigningKeyPassword]: {
    description: 'The password of `signing_key`, from a secret (may be empty for a cosign key made so).',
  },
  [Input.SignatureFormats]: {
    description:
      'With `signing_key`, the formats written: `sig` (the `.sig` tag, read by podman, skopeo, CRI-O and cosign 2), `bundle` (a Sigstore bundle referrer, read by cosign 3), or `both`.',
    default: 'both',
  },
  [Input.BuildPlatforms]: {
    description:
      'The platforms of `platforms` this job builds, e.g. `linux/arm64` on an arm64 runner (empty: every platform, in this job). Each is pushed as a part, `<sha>-<os>-<arch>[-<variant>]`; the job that finds every part there assembles the index and publishes it.',
  },
  [Input.Source]: {
    description:
      'Push-only mode: publish an image built elsewhere instead of building one, `oci:<directory>`, `oci-archive:<file>` or `docker-archive:<file>` (relative to the workspace). It must carry the `org.opencontainers.image.revision` label of `sha`. No Docker engine is needed.',
  },
  [Input.Tags]: {
    description:
      'The version tag as a template: `{{version}}`, `{{sha}}`, `{{sha7}}`, `{{sha12}}` (from the full `sha`), e.g. `{{version}}-{{sha7}}`. It must hold `{{version}}`. Never overwritten.',
    default: '{{version}}',
  },
  [Input.CommitTag]: {
    description:
      "`false`: write no commit-SHA tag; the version tag (see `tags`) is then the one tag, and a re-run reads it and the image's revision label. Not with `build_platforms`.",
    default: 'true',
  },
};
