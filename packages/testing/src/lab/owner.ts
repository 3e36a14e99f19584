// Who owns a lab: the marker file written before anything else is created, and whether that
// owner still runs. The process start time guards against a dead owner's pid being reused.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LAB_RUN_DIR, isLabId, labNames, pidFromLabId } from './naming.ts';

export interface LabMarker {
  id: string;
  name: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat; absent when it could not be read. */
  pidStartTime?: string;
  hosts: number;
  createdAt: string;
}

export function writeMarker(marker: LabMarker): void {
  mkdirSync(LAB_RUN_DIR, { recursive: true });
  writeFileSync(labNames(marker.id).marker, JSON.stringify(marker, null, 2) + '\n');
}

export function readMarker(id: string): LabMarker | undefined {
  try {
    return JSON.parse(readFileSync(labNames(id).marker, 'utf8')) as LabMarker;
  } catch {
    return undefined;
  }
}

export function removeMarker(id: string): void {
  rmSync(labNames(id).marker, { force: true });
}

export function listMarkerIds(): string[] {
  try {
    return readdirSync(LAB_RUN_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter(isLabId);
  } catch {
    return [];
  }
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether pid names a live process (a zombie counts as dead). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether the process that created lab `id` still runs: by its marker, else by the pid in the id. */
export function isOwnerAlive(id: string): boolean {
  const marker = readMarker(id);
  const pid = marker?.pid ?? pidFromLabId(id);
  if (pid === undefined || !isAlive(pid)) return false;
  return marker?.pidStartTime === undefined || marker.pidStartTime === processStartTime(pid);
}
