// A whole booted Debian (systemd, sshd) in a lab host's network namespace, for testing the
// systemd unit and installs over SSH for real. Root only; the rootfs is built once by
// debootstrap and cached under /var/cache/berth-test.
export { bootDebianHost, sshAnswers } from './machine.ts';
export type { DebianHost, DebianHostOptions } from './machine.ts';
export { ensureRootfs, isRootfsCached, rootfsDir, aptMirror, MirrorUnreachableError, DEFAULT_PACKAGES, CACHE_DIR } from './rootfs.ts';
export type { Rootfs, RootfsOptions } from './rootfs.ts';
