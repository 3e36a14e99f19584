import { humanDuration } from '@berth/protocol';
import type { ContainerHealthStatus, DockerContainerStatus } from '@berth/runtime';

export interface StatusInput {
  status: DockerContainerStatus;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  health?: { status: ContainerHealthStatus };
}

/**
 * The STATUS column of `docker ps`: "Up 5 minutes (Paused)", "Up 2 minutes (healthy)",
 * "Up 3 seconds (health: starting)", "Exited (137) 2 seconds ago".
 */
export function dockerStatus(s: StatusInput, now = Date.now()): string {
  const since = (t: string) => Math.max(0, now - Date.parse(t));
  switch (s.status) {
    case 'running': {
      const up = `Up ${humanDuration(since(s.startedAt))}`;
      if (!s.health) return up;
      return `${up} (${s.health.status === 'starting' ? 'health: starting' : s.health.status})`;
    }
    case 'paused':
      return `Up ${humanDuration(since(s.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(since(s.finishedAt))} ago`;
    case 'exited':
      return `Exited (${s.exitCode}) ${humanDuration(since(s.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
  }
}
