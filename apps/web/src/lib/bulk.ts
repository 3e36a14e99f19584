// Bulk actions on the containers table: what an action applies to, the one question that
// confirms it, and running it on many containers at once with a bound.
import type { ContainerState } from './api-types.ts';

export type BulkAction = 'start' | 'stop' | 'restart' | 'remove';
export interface Target { host: string; id: string; name: string; state: ContainerState }

const LIVE: ContainerState[] = ['running', 'paused', 'restarting'];
/** The states each action makes sense in, as the row's own buttons offer them. */
const APPLIES: Record<BulkAction, ContainerState[]> = {
  start: ['created', 'exited'],
  stop: ['running', 'paused', 'restarting'],
  restart: ['running'],
  remove: ['running', 'paused', 'restarting', 'created', 'exited', 'dead'],
};
const VERB: Record<BulkAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', remove: 'Remove' };
const DONE: Record<BulkAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted', remove: 'removed' };

export const isLive = (s: ContainerState): boolean => LIVE.includes(s);

/** How a target is named to the user: its name, and its host when another selected one has the same name. */
export function targetName(t: Target, all: Target[]): string {
  return all.some((o) => o !== t && o.name === t.name) ? `${t.name} on ${t.host}` : t.name;
}

const list = (names: string[], max = 10): string => (names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', '));
const count = (n: number) => `${n} container${n === 1 ? '' : 's'}`;

export interface BulkPlan {
  action: BulkAction;
  /** what the action will be asked of */
  targets: Target[];
  /** selected, but in a state the action does not apply to */
  skipped: Target[];
  /** for remove: the targets still running, killed first */
  forced: Target[];
  /** the confirmation, naming everything that will be affected */
  question: string;
}

export function planBulk(action: BulkAction, selected: Target[]): BulkPlan {
  const targets = selected.filter((t) => APPLIES[action].includes(t.state));
  const skipped = selected.filter((t) => !APPLIES[action].includes(t.state));
  const forced = action === 'remove' ? targets.filter((t) => isLive(t.state)) : [];
  const name = (t: Target) => targetName(t, selected);
  let question = targets.length ? `${VERB[action]} ${count(targets.length)}: ${list(targets.map(name))}?` : `None of the selected containers can be ${DONE[action]}.`;
  if (forced.length) question += ` ${forced.length === targets.length ? (forced.length === 1 ? 'It is' : 'They are') : `${list(forced.map(name))} ${forced.length === 1 ? 'is' : 'are'}`} still running: ${forced.length === 1 ? 'it is' : 'they are'} killed first (force).`;
  if (skipped.length) question += ` Skipped: ${list(skipped.map((t) => `${name(t)} (${t.state})`))}.`;
  return { action, targets, skipped, forced, question };
}

export type Outcome<T> = { item: T; ok: true } | { item: T; ok: false; error: string };

/**
 * `run` on every item, at most `limit` at a time; a failure is recorded and the others go on.
 * Outcomes come back in the items' order. `onDone` counts progress.
 */
export async function runBounded<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>, onDone?: (done: number) => void): Promise<Outcome<T>[]> {
  const out: Outcome<T>[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      try {
        await run(item);
        out[i] = { item, ok: true };
      } catch (err) {
        out[i] = { item, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A checkbox clicked at `index`: that row takes `checked`, and with shift every row between it
 * and the previous click (the anchor) takes it too, as file managers do.
 */
export function selectRange(selected: ReadonlySet<string>, keys: string[], index: number, checked: boolean, anchor: number | null, shift: boolean): Set<string> {
  const next = new Set(selected);
  const [from, to] = shift && anchor !== null && anchor < keys.length ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
  for (let i = from; i <= to; i++) {
    if (checked) next.add(keys[i]!);
    else next.delete(keys[i]!);
  }
  return next;
}
