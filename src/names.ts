// Every name the action shares with its runner lives here, so action.yaml, the code and the
// tests cannot drift apart silently.

export enum Input {
  Context = 'context',
  Dockerfile = 'dockerfile',
  ImageName = 'image_name',
  Version = 'version',
  Registry = 'registry',
  Username = 'username',
  ApiKey = 'api_key',
  Sha = 'sha',
  BuildArgs = 'build_args',
  Labels = 'labels',
  Target = 'target',
  Network = 'network',
  Push = 'push',
  InsecureRegistry = 'insecure_registry',
  KeyExpiryWarningDays = 'key_expiry_warning_days',
  SkopeoDownloadUrl = 'skopeo_download_url',
  SkopeoSha256 = 'skopeo_sha256',
  Platforms = 'platforms',
  Secrets = 'secrets',
  CacheFrom = 'cache_from',
  CacheTo = 'cache_to',
  NoCache = 'no_cache',
  Pull = 'pull',
  Annotations = 'annotations',
  Provenance = 'provenance',
  Sbom = 'sbom',
  SigningKey = 'signing_key',
  SigningKeyPassword = 'signing_key_password',
  BuildPlatforms = 'build_platforms',
  Source = 'source',
  Tags = 'tags',
  CommitTag = 'commit_tag',
  SignatureFormats = 'signature_formats',
}

/**
 * The defaults the code falls back to when an input is empty, each as action.yaml declares it
 * (a test holds the two together). Inputs without one here are required, or empty means "none".
 */
export const INPUT_DEFAULTS: Partial<Record<Input, string>> = {
  [Input.Dockerfile]: 'Dockerfile',
  [Input.Push]: 'true',
  [Input.InsecureRegistry]: 'false',
  [Input.KeyExpiryWarningDays]: '14',
  [Input.NoCache]: 'false',
  [Input.Pull]: 'false',
  [Input.Provenance]: 'false',
  [Input.Sbom]: 'false',
  [Input.Tags]: '{{version}}',
  [Input.CommitTag]: 'true',
  [Input.SignatureFormats]: 'both',
};

export enum Output {
  Digest = 'digest',
  Image = 'image',
  VersionRef = 'version_ref',
  ShaRef = 'sha_ref',
  Result = 'result',
  Signature = 'signature',
  PartRef = 'part_ref',
}

export enum State {
  IsPost = 'isPost',
  RunDirectory = 'runDirectory',
  /** The random token in the run folder's marker file: the post step removes only that folder. */
  RunToken = 'runToken',
}

/** The per-run folder's name starts so; the post step removes nothing else. */
export const RUN_DIRECTORY_PREFIX = 'build-push-image-';

/** The value of the `result` output. */
export enum Result {
  Pushed = 'pushed',
  Completed = 'completed',
  AlreadyPublished = 'already-published',
  Built = 'built',
  /** This job's platform parts are in the registry; the job that pushes the last part publishes. */
  PartPushed = 'part-pushed',
}

export const REVISION_LABEL = 'org.opencontainers.image.revision';
export const VERSION_LABEL = 'org.opencontainers.image.version';
export const SOURCE_LABEL = 'org.opencontainers.image.source';
export const CREATED_LABEL = 'org.opencontainers.image.created';
