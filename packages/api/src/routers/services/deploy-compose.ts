import { z } from 'zod';
import { ComposeError, parseCompose } from '@berth/compose';
import { AppError, deployStack } from '@berth/core';
import { ServiceName } from '@berth/protocol';
import { teamObjectProcedure } from '../../trpc.ts';
import { checkServicePolicy } from './policy.ts';

const MAX_COMPOSE = 1024 * 1024;

/**
 * `docker stack deploy -c FILE NAME` and the dashboard's upload: the compose file is parsed
 * here, with the files it names (env_file, secrets, configs) and the variables it uses as the
 * client read them, so the CLI and the dashboard get the same stack and the same errors.
 */
export const deployCompose = teamObjectProcedure('stack', 'operator', 'deploying a stack').meta({ action: 'stack.deploy' })
  .input(z.object({
    name: ServiceName,
    compose: z.string().min(1).max(MAX_COMPOSE),
    fileName: z.string().max(256).default('docker-compose.yml'),
    /** the named files' contents, base64, by the path the compose file gives */
    files: z.record(z.string().max(4096), z.string().max(8 * MAX_COMPOSE)).default({}),
    env: z.record(z.string().max(256), z.string().max(64 * 1024)).default({}),
    workingDir: z.string().max(4096).optional(),
    /** the team a new stack goes to (name or id); a redeploy stays in its team */
    team: z.string().min(1).max(64).optional(),
  }))
  .mutation(async ({ ctx, input }) => {
    let parsed;
    try {
      parsed = parseCompose(input.compose, {
        stackName: input.name,
        fileName: input.fileName,
        env: input.env,
        readFile: (path) => (Object.hasOwn(input.files, path) ? Buffer.from(input.files[path]!, 'base64') : undefined),
        ...(input.workingDir ? { workingDir: input.workingDir } : {}),
      });
    } catch (err) {
      if (err instanceof ComposeError) throw new AppError('INVALID', err.message);
      throw err;
    }
    const { stack, ignored } = parsed;
    for (const s of stack.services) checkServicePolicy(ctx.actor, s);
    const services = await deployStack(ctx.actor, stack, ctx.db, ctx.secrets, input.team);
    return { services, ignored };
  });
