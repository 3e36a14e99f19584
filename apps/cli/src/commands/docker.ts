// Dispatch of Docker's verbs: each parses its own flags, so that `berth run -d --name web
// busybox sleep 1000` passes `sleep 1000` to the container untouched.
import { actionCommand, attachCommand, commitCommand, createCommand, diffCommand, execCommand, inspectCommand, logsCommand, portCommand, psCommand, renameCommand, rmCommand, statsCommand, topCommand, waitCommand } from './containers.ts';
import { historyCommand, imageInspectCommand, imagesCommand, pruneCommand, pullCommand, pushCommand, rmiCommand, searchCommand, tagCommand } from './images.ts';
import { UserError } from '../errors.ts';
import { eventsCommand, exportCommand, loadCommand, saveCommand, systemCommand } from './system.ts';
import { networkCommand } from './networks.ts';
import { serviceCommand } from './services.ts';
import { configCommand, secretCommand } from './secrets.ts';
import { stackCommand } from './stacks.ts';
import { loginCommand, logoutCommand, volumeCommand } from './volumes.ts';
import type { VerbContext } from './verbs.ts';

type Verb = (ctx: VerbContext, argv: string[]) => Promise<number>;

const VERBS: Record<string, Verb> = {
  ps: psCommand,
  run: (ctx, argv) => createCommand(ctx, argv, 'run'),
  create: (ctx, argv) => createCommand(ctx, argv, 'create'),
  start: (ctx, argv) => actionCommand(ctx, 'start', argv),
  stop: (ctx, argv) => actionCommand(ctx, 'stop', argv),
  restart: (ctx, argv) => actionCommand(ctx, 'restart', argv),
  kill: (ctx, argv) => actionCommand(ctx, 'kill', argv),
  pause: (ctx, argv) => actionCommand(ctx, 'pause', argv),
  unpause: (ctx, argv) => actionCommand(ctx, 'unpause', argv),
  rm: rmCommand,
  rename: renameCommand,
  wait: waitCommand,
  logs: logsCommand,
  exec: execCommand,
  attach: (ctx, argv) => attachCommand(ctx, argv),
  inspect: inspectCommand,
  stats: statsCommand,
  top: topCommand,
  diff: diffCommand,
  commit: commitCommand,
  export: exportCommand,
  images: imagesCommand,
  history: historyCommand,
  push: pushCommand,
  pull: pullCommand,
  tag: tagCommand,
  rmi: rmiCommand,
  volume: volumeCommand,
  network: networkCommand,
  service: serviceCommand,
  stack: stackCommand,
  secret: secretCommand,
  config: configCommand,
  port: portCommand,
  login: loginCommand,
  logout: logoutCommand,
  save: saveCommand,
  search: searchCommand,
  load: loadCommand,
  system: systemCommand,
  events: eventsCommand,
};

const CONTAINER_SUB: Record<string, string> = { export: 'export', ls: 'ps', list: 'ps', ps: 'ps', run: 'run', create: 'create', start: 'start', stop: 'stop', restart: 'restart', kill: 'kill', pause: 'pause', unpause: 'unpause', rm: 'rm', remove: 'rm', rename: 'rename', wait: 'wait', attach: 'attach', port: 'port', logs: 'logs', exec: 'exec', inspect: 'inspect', stats: 'stats', top: 'top', diff: 'diff', commit: 'commit' };
const IMAGE_SUB: Record<string, Verb> = {
  ls: imagesCommand, list: imagesCommand, pull: pullCommand, save: saveCommand, load: loadCommand, push: pushCommand, history: historyCommand, tag: tagCommand, rm: rmiCommand, remove: rmiCommand, prune: pruneCommand, inspect: imageInspectCommand,
};

/** Whether `argv` (after the global options) names a Docker verb handled here. */
export function isDockerVerb(cmd: string | undefined): boolean {
  return !!cmd && (Object.hasOwn(VERBS, cmd) || cmd === 'image' || cmd === 'container');
}

export async function dockerMain(ctx: VerbContext, cmd: string, argv: string[]): Promise<number> {
  if (cmd === 'image') {
    const [sub, ...rest] = argv;
    const verb = sub ? IMAGE_SUB[sub] : undefined;
    if (!verb) throw new UserError(`image: unknown command ${JSON.stringify(sub ?? '')}: use ls, pull, push, history, tag, rm, prune or inspect`);
    return verb(ctx, rest);
  }
  if (cmd === 'container') {
    const [sub, ...rest] = argv;
    const verb = sub ? CONTAINER_SUB[sub] : undefined;
    if (!verb) throw new UserError(`container: unknown command ${JSON.stringify(sub ?? '')}: use ls, run, create, start, stop, restart, kill, pause, unpause, rm, rename, wait, port, logs, exec, inspect, stats, top, diff or commit`);
    return VERBS[verb]!(ctx, rest);
  }
  return VERBS[cmd]!(ctx, argv);
}

export const DOCKER_USAGE = `Containers (Docker's verbs and flags; -H HOST picks the host, else the only one):
  ps [-a] [-q] [--no-trunc] [--format json] [--filter status|name|id|label|ancestor|exited|health=VALUE]
                        list containers (every host's without -H), with their published ports
  run [OPTIONS] IMAGE [COMMAND] [ARG...]
                        create and start a container; without -d, show its output and exit
                        with its exit code (berth run --help lists the options)
  create [OPTIONS] IMAGE [COMMAND] [ARG...]
                        create a container without starting it
  start|restart|pause|unpause CONTAINER...
  stop [-t SECONDS] CONTAINER...
  kill [-s SIGNAL] CONTAINER...
  rm [-f] [-v] CONTAINER...
  rename CONTAINER NEW_NAME
  wait CONTAINER...     wait for containers to stop and print their exit codes
  logs [-f] [--tail N] [--since 10m|RFC3339|UNIX] [-t] CONTAINER
  exec [-i] [-t] [-e NAME=VALUE] [-u USER] [-w DIR] CONTAINER COMMAND [ARG...]
                        run a command in a running container; -i passes stdin, -t a terminal
  attach [--no-stdin] CONTAINER
                        join its main process (ctrl-p ctrl-q detaches); start -a [-i] starts it attached
  inspect [--type container|image] NAME...
  stats [--no-stream] [CONTAINER...]
  port CONTAINER [PRIVATE_PORT[/PROTO]]
                        its published ports (80/tcp -> 0.0.0.0:8080)
  top CONTAINER         its processes
  diff CONTAINER        files added, changed or deleted in it
  commit [-a AUTHOR] [-m MESSAGE] [--pause=false] CONTAINER [REPOSITORY[:TAG]]
                        a new image from its changes
  export [-o FILE] CONTAINER
                        its root filesystem as a tar

Images:
  images [-a] [-q] [--no-trunc] [--format json] [REPOSITORY]
  pull NAME[:TAG|@DIGEST]  with -H all (every online host) or -H h1,h2: on each at once, a line per host
  push NAME[:TAG]
  history [--no-trunc] [-q] IMAGE
  tag SOURCE TARGET
  rmi [-f] IMAGE...
  image prune [-a] [-f]   also with -H all or -H h1,h2
  image inspect IMAGE...
  search [--limit N] REGISTRY/TERM
                        repositories of a registry's catalog whose name contains TERM
  save [-o FILE] IMAGE...  a docker-archive (also an OCI archive) of images, to FILE or stdout
  load [-i FILE] [-q]     images from a docker-archive or OCI archive (gzipped or not)
  login -u USER --password-stdin [SERVER]
                        store a registry's credentials in the control plane (admins)
  logout [SERVER]

System:
  system df             disk used by images, containers and volumes
  events [--format json] the fleet's events as they happen (docker events), until Ctrl-C

Volumes:
  volume ls [-q] | create [--label KEY=VALUE] [NAME] | inspect NAME... | rm NAME... | prune [-a] [-f]

Networks (berth network --help for more):
  network ls [-q] [--no-trunc] [--format json]   (every host's with -H all)
  network create [--subnet CIDR] [--gateway IP] [--internal] [--label KEY=VALUE] NAME
  network inspect NETWORK... | rm NETWORK... | prune [-f]
  network connect [--alias NAME] [--ip IP] NETWORK CONTAINER
  network disconnect [-f] NETWORK CONTAINER

Services and stacks: desired state the control plane keeps true (berth service --help, berth stack --help):
  service create --name NAME [--replicas N | --mode global] [--constraint EXPR] [run flags] IMAGE [COMMAND]
  service ls | ps SERVICE | inspect SERVICE | scale SERVICE=N | update [--image IMAGE] SERVICE | rollback SERVICE | rm SERVICE
  stack deploy -c docker-compose.yml NAME | ls | ps NAME | services NAME | rm NAME
  secret create [--label KEY=VALUE] [--team TEAM] NAME FILE|- | ls | inspect NAME... | rm NAME...
  config create [--label KEY=VALUE] [--team TEAM] NAME FILE|- | ls | inspect NAME... | rm NAME...
                        sealed in the control plane, mounted in a service's replicas
                        (service create --secret NAME[,target=…], --config); never shown again
  host update --label-add KEY=VALUE HOST   (labels that constraints match, as node.labels.KEY)
`;
