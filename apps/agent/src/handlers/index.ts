import { Operations, type OperationName } from '@berth/protocol';
import { attachContainer, commitContainer, containerDiff, exportContainer, containerLogs, containerStats, containerTop, createContainer, execInContainer, inspectContainer, killContainer, listContainers, pauseContainer, removeContainer, renameContainer, restartContainer, startContainer, stopContainer, unpauseContainer, waitContainer } from './containers.ts';
import { getHostFacts } from './get-host-facts.ts';
import { imageHistory, inspectImage, listImages, loadImages, pruneImages, pullImage, pushImage, removeImage, saveImages, searchImages, tagImage } from './images.ts';
import { systemDf } from './system-df.ts';
import { pingSystem } from './ping-system.ts';
import { connectNetwork, createNetwork, disconnectNetwork, inspectNetwork, listNetworks, pruneNetworks, removeNetwork } from './networks.ts';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume } from './volumes.ts';
import { HandlerError, type AgentContext, type Handler, type RequestIo } from './types.ts';

type Handlers = { [K in OperationName]: Handler<K> };

// The compiler checks that every operation in the protocol has exactly one handler here.
const handlers: Handlers = {
  'host.facts': getHostFacts,
  'system.ping': pingSystem,
  'system.df': systemDf,
  'image.list': listImages,
  'image.pull': pullImage,
  'image.tag': tagImage,
  'image.remove': removeImage,
  'image.inspect': inspectImage,
  'image.prune': pruneImages,
  'image.history': imageHistory,
  'image.push': pushImage,
  'image.save': saveImages,
  'image.load': loadImages,
  'image.search': searchImages,
  'container.list': listContainers,
  'container.create': createContainer,
  'container.start': startContainer,
  'container.stop': stopContainer,
  'container.restart': restartContainer,
  'container.kill': killContainer,
  'container.pause': pauseContainer,
  'container.unpause': unpauseContainer,
  'container.remove': removeContainer,
  'container.rename': renameContainer,
  'container.wait': waitContainer,
  'container.inspect': inspectContainer,
  'container.stats': containerStats,
  'container.top': containerTop,
  'container.commit': commitContainer,
  'container.export': exportContainer,
  'container.diff': containerDiff,
  'container.logs': containerLogs,
  'container.exec': execInContainer,
  'container.attach': attachContainer,
  'volume.list': listVolumes,
  'volume.create': createVolume,
  'volume.inspect': inspectVolume,
  'volume.remove': removeVolume,
  'volume.prune': pruneVolumes,
  'network.list': listNetworks,
  'network.create': createNetwork,
  'network.inspect': inspectNetwork,
  'network.remove': removeNetwork,
  'network.connect': connectNetwork,
  'network.disconnect': disconnectNetwork,
  'network.prune': pruneNetworks,
};

/** Validates the params against the protocol, then runs the operation's handler. */
export async function dispatch(op: string, params: unknown, ctx: AgentContext, io: RequestIo = { stream: null }): Promise<unknown> {
  if (!Object.hasOwn(Operations, op)) throw new HandlerError('unknown_operation', `this agent does not know operation ${JSON.stringify(op).slice(0, 80)}: upgrade it`);
  const name = op as OperationName;
  const parsed = Operations[name].params.safeParse(params);
  if (!parsed.success) throw new HandlerError('invalid_params', `invalid params for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return (handlers[name] as (p: unknown, c: AgentContext, io: RequestIo) => Promise<unknown>)(parsed.data, ctx, io);
}

export { HandlerError, type AgentContext, type RequestIo } from './types.ts';
