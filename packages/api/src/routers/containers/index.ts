import { router } from '../../trpc.ts';
import { commitContainer } from './commit-container.ts';
import { containerAction } from './container-action.ts';
import { containerDiff } from './container-diff.ts';
import { containerLogs } from './container-logs.ts';
import { containerStats } from './container-stats.ts';
import { containerTop } from './container-top.ts';
import { createContainer } from './create-container.ts';
import { execContainer } from './exec-container.ts';
import { inspectContainer } from './inspect-container.ts';
import { listContainers } from './list-containers.ts';
import { searchContainers } from './search-containers.ts';
import { removeContainer } from './remove-container.ts';
import { renameContainer } from './rename-container.ts';
import { waitContainer } from './wait-container.ts';

export const containersRouter = router({
  list: listContainers,
  search: searchContainers,
  inspect: inspectContainer,
  stats: containerStats,
  create: createContainer,
  action: containerAction,
  remove: removeContainer,
  rename: renameContainer,
  wait: waitContainer,
  logs: containerLogs,
  exec: execContainer,
  top: containerTop,
  diff: containerDiff,
  commit: commitContainer,
});
