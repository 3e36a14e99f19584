// Docker's container state machine: the seven states, the only legal moves between them,
// and the checks each operation makes first, with Docker's wording.
import type { ContainerStatus } from './config.ts';
import { conflict } from './errors.ts';

/** Legal moves (moby container/state.go and daemon/*). */
const TRANSITIONS: Record<ContainerStatus, readonly ContainerStatus[]> = {
  created: ['running', 'exited', 'removing', 'dead'],
  running: ['paused', 'exited', 'restarting', 'removing', 'dead'],
  paused: ['running', 'exited', 'removing', 'dead'],
  restarting: ['running', 'exited', 'removing', 'dead'],
  exited: ['running', 'restarting', 'removing', 'dead'],
  // A removal that fails leaves the container dead; one that succeeds leaves nothing.
  removing: ['dead'],
  dead: ['removing'],
};

export function canTransition(from: ContainerStatus, to: ContainerStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a conflict naming the container when `from → to` is not a legal move. */
export function assertTransition(id: string, from: ContainerStatus, to: ContainerStatus): void {
  if (!canTransition(from, to)) {
    throw conflict(`Container ${id} cannot go from ${from} to ${to}`, id);
  }
}

export type ContainerAction = 'start' | 'stop' | 'kill' | 'restart' | 'pause' | 'unpause' | 'remove' | 'force-remove' | 'exec' | 'rename' | 'wait';

/**
 * What an action does from a state: "go" (proceed), "noop" (Docker answers 304 Not
 * Modified: start of a running container, stop of a stopped one), or throws the conflict
 * Docker gives.
 */
export function checkAction(action: ContainerAction, id: string, status: ContainerStatus): 'go' | 'noop' {
  const c = (msg: string) => conflict(msg, id);
  if (status === 'removing' && action !== 'wait') throw c(`removal of container ${id} is already in progress`);
  if (status === 'dead' && action !== 'remove' && action !== 'force-remove' && action !== 'wait') {
    throw c(`Container ${id} is dead: remove it (rm) and create a new one`);
  }
  switch (action) {
    case 'start':
      if (status === 'running' || status === 'restarting') return 'noop';
      if (status === 'paused') throw c(`cannot start a paused container ${id}, try unpause instead`);
      return 'go';
    case 'stop':
      return status === 'running' || status === 'paused' || status === 'restarting' ? 'go' : 'noop';
    case 'kill':
      if (status === 'running' || status === 'paused' || status === 'restarting') return 'go';
      throw c(`Container ${id} is not running`);
    case 'pause':
      if (status === 'paused') throw c(`Container ${id} is already paused`);
      if (status === 'restarting') throw c(`Container ${id} is restarting, wait until the container is running`);
      if (status !== 'running') throw c(`Container ${id} is not running`);
      return 'go';
    case 'unpause':
      if (status !== 'paused') throw c(`Container ${id} is not paused`);
      return 'go';
    case 'remove':
      if (status === 'running') throw c(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
      if (status === 'paused') throw c(`You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove`);
      if (status === 'restarting') throw c(`You cannot remove a restarting container ${id}. Stop the container before attempting removal or force remove`);
      return 'go';
    case 'force-remove':
      return 'go';
    case 'exec':
      if (status === 'paused') throw c(`Container ${id} is paused, unpause the container before exec`);
      if (status === 'restarting') throw c(`Container ${id} is restarting, wait until the container is running`);
      if (status !== 'running') throw c(`Container ${id} is not running`);
      return 'go';
    case 'restart':
    case 'rename':
    case 'wait':
      return 'go';
  }
}

/** The states in which the container's processes exist. */
export function isActive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}
