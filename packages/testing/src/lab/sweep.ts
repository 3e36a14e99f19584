// Finds labs left behind by runs that died without tearing down (SIGKILL, crash, power cut)
// and removes them. A lab counts as stale when the process that created it is gone.
import { readdirSync } from 'node:fs';
import { listSubnetClaims } from './addressing.ts';
import { findCgroups } from './cgroups.ts';
import { listLinks, listNetns } from './ip.ts';
import { LAB_TMP_DIR, isLabId, labIdFromHostName, labIdFromLinkName } from './naming.ts';
import { isOwnerAlive, listMarkerIds } from './owner.ts';
import { teardownLab } from './teardown.ts';

/** Ids of every lab with any piece on this machine (markers, namespaces, links, dirs, cgroups, subnet claims). */
export function findLabIds(): string[] {
  const ids = new Set<string>(listMarkerIds());
  const add = (id: string | undefined): void => {
    if (id !== undefined) ids.add(id);
  };
  for (const ns of listNetns()) add(labIdFromHostName(ns));
  for (const link of listLinks()) add(labIdFromLinkName(link));
  for (const dir of safeReaddir(LAB_TMP_DIR)) add(labIdFromHostName(dir));
  for (const cg of findCgroups('berth-lab-')) add(labIdFromHostName(cg.slice(cg.lastIndexOf('/') + 1)));
  for (const claim of listSubnetClaims()) add(claim.id);
  return [...ids].filter(isLabId);
}

/** Destroys every lab whose creator is dead; returns their ids. Throws after trying all if some teardown failed. */
export async function sweepStaleLabs(): Promise<string[]> {
  const removed: string[] = [];
  const failures: string[] = [];
  for (const id of findLabIds()) {
    if (isOwnerAlive(id)) continue;
    const errors = teardownLab(id, { graceMs: 500 });
    if (errors.length === 0) removed.push(id);
    else failures.push(`lab ${id}:\n - ${errors.join('\n - ')}`);
  }
  if (failures.length > 0) throw new Error(`sweeping stale labs left pieces behind:\n${failures.join('\n')}`);
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
