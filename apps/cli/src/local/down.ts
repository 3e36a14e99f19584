import type { CliEnv } from '../env.ts';
import { alive, waitForExit } from '../proc.ts';
import { clearRunState, readRunState } from './run-state.ts';

/** `berth down`: stops what a detached `up` started. Containers keep running under conmon. */
export async function down(env: CliEnv): Promise<void> {
  const s = await readRunState(env.BERTH_CONTROL_DIR);
  if (!s) {
    process.stdout.write('berth is not running (no run state in ' + env.BERTH_CONTROL_DIR + ')\n');
    return;
  }
  const steps: [string, number | undefined, NodeJS.Signals][] = [['agent', s.agent, 'SIGTERM'], ['control plane', s.gateway, 'SIGTERM'], ['postgres', s.postgres, 'SIGINT']];
  for (const [name, pid, signal] of steps) {
    if (!pid || !alive(pid)) continue;
    process.kill(pid, signal);
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
    process.stdout.write(`stopped ${name} (pid ${pid})\n`);
  }
  await clearRunState(env.BERTH_CONTROL_DIR);
}
