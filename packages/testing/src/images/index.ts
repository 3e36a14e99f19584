// Local OCI test images: built from the host's busybox, written as OCI layouts or docker
// archives, or pushed to a registry. Nothing is downloaded.
export { MEDIA_TYPES, sha256Digest, digestHex } from './digest.ts';
export type { Blob, Descriptor } from './digest.ts';
export { buildLayerTar, normalizeEntries, whiteout, opaqueWhiteout, EPOCH } from './tar.ts';
export type { LayerEntry, FileEntry, DirEntry, SymlinkEntry, HardlinkEntry, DeviceEntry, FifoEntry } from './tar.ts';
export { buildLayer, layerFromTar } from './layer.ts';
export type { Layer } from './layer.ts';
export { buildImage, hostArchitecture, DEFAULT_CREATED, DEFAULT_PATH } from './image.ts';
export type { BuildImageOptions, BuiltImage, ImageConfigOptions } from './image.ts';
export { buildBusyboxImage, buildHttpdImage, BUSYBOX_PATH, HTTPD_INDEX } from './busybox.ts';
export type { BusyboxImageOptions } from './busybox.ts';
export { writeOciLayout, REF_NAME_ANNOTATION } from './oci-layout.ts';
export { writeDockerArchive, dockerArchiveEntries, chainIds } from './docker-archive.ts';
export type { DockerArchiveManifestEntry } from './docker-archive.ts';
export { pushImage } from './push.ts';
export type { PushResult } from './push.ts';
export { RegistryClient, RegistryAuthError, RegistryRequestError, parseChallenge } from './registry-client.ts';
export type { RegistryCredentials } from './registry-client.ts';
export { readTar } from './read-tar.ts';
export type { TarEntry } from './read-tar.ts';
