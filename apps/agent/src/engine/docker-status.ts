import type { DockerContainerStatus } from '@berth/runtime';

/** Docker's go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

export interface StatusInput {
  status: DockerContainerStatus;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
}

/** The STATUS column of `docker ps`: "Up 5 minutes (Paused)", "Exited (137) 2 seconds ago". */
export function dockerStatus(s: StatusInput, now = Date.now()): string {
  const since = (t: string) => Math.max(0, now - Date.parse(t));
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(since(s.startedAt))}`;
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
