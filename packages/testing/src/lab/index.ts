// The multi-host test lab: simulated hosts (network namespaces on a bridge) on this machine.
export { createLab } from './lab.ts';
export type { Lab, LabHost, LabOptions, LabSpawnOptions } from './lab.ts';
export type { ExecOptions, ExecResult } from './exec.ts';
export type { LabProcess, ProcessExit } from './process.ts';
export { sweepStaleLabs, findLabIds } from './sweep.ts';
export { useLab } from './vitest.ts';
export { findCgroups, removeCgroupTree } from './cgroups.ts';
