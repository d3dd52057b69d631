// The kinds of manifest a registry holds, named once: what the client accepts, what a part may
// be, what the action writes (a signature's manifest, an index of parts).

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** One platform's image, OCI or Docker's: what a part may be. */
export const IMAGE_MANIFESTS = [OCI_MANIFEST, DOCKER_MANIFEST];
