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
