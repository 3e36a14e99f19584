// @berth/runtime: what the agent uses to run containers on its host.

export { hostExec, ExecError } from './sys/exec.ts';
export type { Exec, ExecOptions, ExecResult } from './sys/exec.ts';
export { recordingExec } from './sys/exec-recorder.ts';
export type { RecordingExec, RecordedCall, ExecResponder } from './sys/exec-recorder.ts';
export { rootedHostFs, memoryHostFs, statfsNearest } from './sys/host-fs.ts';
export type { HostFs, FsStats } from './sys/host-fs.ts';
export { parseMountinfo } from './sys/mountinfo.ts';
export type { MountInfo } from './sys/mountinfo.ts';
export { fsTypeName } from './sys/fs-magic.ts';
export { lookPath, DEFAULT_SEARCH_PATH } from './sys/look-path.ts';
export { parseMeminfo, parseProcStatCpu, cpuUsagePercent, parseOsRelease, countCpuList, parseProcLimits } from './sys/procfs.ts';
export type { CpuTimes, ProcessLimit } from './sys/procfs.ts';
export { readHostFacts, backingFilesystem, ociArchitecture } from './sys/host-facts.ts';
export type { HostFacts, HostFactsOptions } from './sys/host-facts.ts';
export { sampleHostMetrics, readMemoryUsage, readDiskUsage } from './sys/host-metrics.ts';
export type { HostMetrics, HostMetricsOptions } from './sys/host-metrics.ts';

export { detectCgroupMode, CgroupDetectionError } from './cgroups/mode.ts';
export type { CgroupLayout, CgroupMode } from './cgroups/mode.ts';
export { containerCgroupsPath, cgroupDirs, containerCgroupDirs, DEFAULT_CGROUP_PARENT } from './cgroups/paths.ts';
export { removeCgroup } from './cgroups/remove.ts';
export type { CgroupFsOps, RemoveCgroupOptions } from './cgroups/remove.ts';

export {
  defaultSpec,
  generateSpec,
  withProcessArgs,
  withRootfs,
  withHostname,
  withNamespaces,
  withCgroupsPath,
  withRlimits,
  withMounts,
  withEnv,
  clampRlimits,
} from './spec/spec-opts.ts';
export type { SpecOpt } from './spec/spec-opts.ts';
export { DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, DEFAULT_NAMESPACES, DEFAULT_RLIMITS, defaultMounts } from './spec/defaults.ts';
export type { Spec, Process, Mount, POSIXRlimit, LinuxNamespace, NamespaceType, Linux, LinuxCapabilities, LinuxDeviceCgroup } from './spec/types.ts';

export { OciRuntime, parseState, parseVersion } from './oci-runtime/runtime.ts';
export type { OciRuntimeConfig, ContainerState, ContainerStatus, RuntimeVersion } from './oci-runtime/runtime.ts';
export { OciRuntimeError, NoWorkingRuntimeError } from './oci-runtime/errors.ts';
export { lastLoggedError } from './oci-runtime/runtime-log.ts';
export { detectRuntime, DEFAULT_RUNTIME_CANDIDATES } from './oci-runtime/detect.ts';
export type { DetectRuntimeOptions, DetectedRuntime, RuntimeProbe } from './oci-runtime/detect.ts';
export { writeProbeBundle } from './oci-runtime/probe-bundle.ts';
export type { ProbeBundleOptions } from './oci-runtime/probe-bundle.ts';

// Containers (issue 5, engine side): rootfs overlays, conmon, logs, the engine and its pure rules.
export { overlayMount, mountOverlay, unmountOverlay, isMountPoint, MAX_MOUNT_OPTIONS } from './rootfs/overlay.ts';
export type { OverlayLayout, OverlayMount, OverlayOps } from './rootfs/overlay.ts';
export { conmonArgs } from './conmon/args.ts';
export type { ConmonArgsInput } from './conmon/args.ts';
export { hostConmonLauncher, parseSyncMessage } from './conmon/launch.ts';
export type { ConmonLauncher, ConmonLaunch, ConmonResult } from './conmon/launch.ts';
export { readExitFile } from './conmon/exit-file.ts';
export type { ExitFile } from './conmon/exit-file.ts';
export { parseRecord, parseTimeNs, parseLog, EntryAssembler } from './logs/k8s-file.ts';
export type { LogRecord, LogEntry, LogStream } from './logs/k8s-file.ts';
export { readLogs, followLogs, selectEntries, formatEntry, toRfc3339NanoUtc } from './logs/read.ts';
export type { LogOptions, FollowOptions } from './logs/read.ts';
export {
  withUser,
  withCwd,
  withTerminal,
  withAnnotations,
  withCapabilities,
  withSeccomp,
  withNoNewPrivileges,
  withPrivileged,
  withMemory,
  withCpu,
  withPidsLimit,
  tmpfsMount,
  bindMount,
  linuxOf,
} from './spec/run-opts.ts';
export type { LinuxRun, LinuxResources, LinuxMemory, LinuxCpu, LinuxSeccomp, LinuxSeccompSyscall, LinuxDevice } from './spec/run-opts.ts';
export { ContainerEngine } from './containers/engine.ts';
export { applyProbeResult, healthProbe, healthTestProblem, mergeHealthcheck, nextProbeDelay, HEALTH_DEFAULTS } from './containers/health.ts';
export type { HealthProbe } from './containers/health.ts';
export type { ContainerEngineOptions, CreateContainerRequest, ContainerEvent, LoadReport } from './containers/engine.ts';
export type {
  ImageConfig,
  RootfsSource,
  ContainerConfig,
  ContainerRecord,
  ContainerStateRecord,
  ContainerStatus as DockerContainerStatus,
  RestartPolicy,
  RestartPolicyName,
  Resources,
  Ulimit,
  TmpfsMountConfig,
  BindMountConfig,
  VolumeMountConfig,
  HealthcheckConfig,
  HealthcheckResult,
  HealthState,
  HealthStatus as ContainerHealthStatus,
  ImageHealthcheck,
} from './containers/config.ts';
export { ContainerError } from './containers/errors.ts';
export type { ContainerErrorCode } from './containers/errors.ts';
export { canTransition, assertTransition, checkAction, isActive } from './containers/state.ts';
export type { ContainerAction } from './containers/state.ts';
export { parseRestartPolicy, decideRestart, nextDelay, restartOnDaemonStart, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, BACKOFF_RESET_AFTER_MS } from './containers/restart-policy.ts';
export type { RestartInput, RestartDecision } from './containers/restart-policy.ts';
export { generateName, generateId, isValidName, normalizeName, NAME_PATTERN, ID_PATTERN } from './containers/names.ts';
export { resolveArgs, resolveEnv, resolveWorkingDir } from './containers/process.ts';
export { resolveUser, parsePasswd, parseGroup } from './containers/user.ts';
export type { ResolvedUser, PasswdEntry, GroupEntry } from './containers/user.ts';
export { ALL_CAPABILITIES, resolveCapabilities, normalizeCapability } from './containers/capabilities.ts';
export { defaultSeccompProfile } from './containers/seccomp.ts';
export { mapResources, cgroupFiles, sharesToWeight, MIN_MEMORY } from './containers/resources.ts';
export type { MappedResources, ResourceHost } from './containers/resources.ts';
export { buildContainerSpec } from './containers/spec.ts';
export type { ContainerSpecInput } from './containers/spec.ts';
export { readContainerStats, cpuPercent } from './containers/stats.ts';
export type { ContainerStats } from './containers/stats.ts';
export { execProcess, collect as collectExec } from './containers/exec.ts';
export type { ExecOptions as ContainerExecOptions, ExecSession } from './containers/exec.ts';
export { containerPaths } from './containers/paths.ts';
export type { ContainerPaths } from './containers/paths.ts';

// Image store (issue 4): references, registry client, content store, unpacked layers, images.
export { parseReference, parseTagReference, formatReference, familiarString, familiarRepository, repositoryName, digestProblem, InvalidReferenceError, DEFAULT_DOMAIN, DEFAULT_TAG } from './distribution/reference.ts';
export type { Reference } from './distribution/reference.ts';
export { DistributionClient } from './distribution/client.ts';
export type { DistributionClientOptions, RequestOptions, Repository, FetchedManifest, BlobResponse } from './distribution/client.ts';
export { RegistryError } from './distribution/errors.ts';
export type { RegistryErrorCode } from './distribution/errors.ts';
export { parseChallenges } from './distribution/auth.ts';
export type { RegistryCredentials, Challenge } from './distribution/auth.ts';
export { isInsecureRegistry, registryEndpoints, DEFAULT_INSECURE_REGISTRIES, DOCKER_HUB_SERVER } from './distribution/hosts.ts';
export type { RegistryHostsConfig, Endpoint } from './distribution/hosts.ts';
export { MEDIA_TYPES, MANIFEST_ACCEPT, parseManifest, parseImageConfig, ManifestError } from './distribution/manifest.ts';
export type { Descriptor, ImageManifest, ImageIndex, ImageConfig as OciImageConfig, Platform } from './distribution/manifest.ts';
export { hostPlatform, selectManifest, formatPlatform } from './distribution/platform.ts';
export type { PlatformSpec } from './distribution/platform.ts';
export { ContentStore, REF_NAME_ANNOTATION } from './content/store.ts';
export type { BlobDescriptor, BlobSource, IngestProgress, IngestResult, GcResult } from './content/store.ts';
export { ContentError } from './content/errors.ts';
export type { ContentErrorCode } from './content/errors.ts';
export { Snapshotter, chainIds } from './snapshots/snapshotter.ts';
export type { LayerInfo, SnapshotMount, UnpackRequest } from './snapshots/snapshotter.ts';
export { LayerError } from './snapshots/errors.ts';
export type { LayerErrorCode } from './snapshots/errors.ts';
export { hostNodeOps } from './snapshots/node-ops.ts';
export type { NodeOps } from './snapshots/node-ops.ts';
export { readTar, TarError } from './snapshots/tar-reader.ts';
export type { TarEntry, TarHeader } from './snapshots/tar-reader.ts';
export { ImageService } from './images/service.ts';
export type { ImageServiceOptions, PreparedRootfs } from './images/service.ts';
export { ImageError } from './images/errors.ts';
export type { ImageErrorCode } from './images/errors.ts';
export type { PullOptions, PullResult, LayerProgress, LayerStatus } from './images/pull.ts';
export type { RemoveOptions, RemoveEvent, PruneOptions, PruneResult, IsImageInUse } from './images/remove.ts';
export type { ImageSummary, ImageInspect, HistoryEntry, ListOptions } from './images/views.ts';

// ---------------------------------------------------------------------------------------------
// Image store, part 2: push, save/load (docker-archive and OCI archives), commit, system df.
export type { PushOptions, PushResult as ImagePushResult, PushProgress, PushStatus } from './images/push.ts';
export type { SaveResult } from './images/save.ts';
export { loadMessages } from './images/load.ts';
export type { LoadResult, LoadedImage } from './images/load.ts';
export { applyChanges, hostXattrReader } from './images/commit.ts';
export type { CommitOptions, CommitResult, CommitChanges } from './images/commit.ts';
export { directoryUsage, localDiskUsage } from './images/disk-usage.ts';
export type { ImagesDiskUsage, ImageUsage, DiskUsageOptions, PathUsage, LocalDiskUsage } from './images/disk-usage.ts';
export { TarWriter } from './images/tar-writer.ts';
export type { TarWriteHeader, TarWriteType } from './images/tar-writer.ts';

export { NetworkManager, NetworkError } from './network/manager.ts';
export type { NetworkManagerOptions, NetworkErrorCode } from './network/manager.ts';
export type { NetworkRecord, EndpointState, ContainerNetworkState, NetworkAttachment, PortBinding } from './network/config.ts';
export { hostNet } from './network/host-net.ts';
export type { NetHost } from './network/host-net.ts';
export { deleteTableCommand } from './network/ruleset.ts';
export { formatSubnet, routePrefix } from './network/ipv4.ts';
