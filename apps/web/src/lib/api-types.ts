import type { api } from './trpc.ts';

// The API's shapes as the client sees them, inferred from the router.
export type HostRow = Awaited<ReturnType<typeof api.hosts.list.query>>[number];
export type HostFacts = Awaited<ReturnType<typeof api.hosts.facts.query>>;
export type ContainerList = Awaited<ReturnType<typeof api.containers.list.query>>;
export type ContainerRow = ContainerList['containers'][number];
export type ContainerState = ContainerRow['state'];
export type ImageList = Awaited<ReturnType<typeof api.images.list.query>>;
export type ImageRow = ImageList['images'][number];
export type Unavailable = ContainerList['unavailable'][number];
export type ContainerAction = 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause';
export type VolumeList = Awaited<ReturnType<typeof api.volumes.list.query>>;
export type VolumeRow = VolumeList['volumes'][number];
export type NetworkList = Awaited<ReturnType<typeof api.networks.list.query>>;
export type NetworkRow = NetworkList['networks'][number];
export type NetworkDetail = Awaited<ReturnType<typeof api.networks.inspect.query>>;
export type RegistryRow = Awaited<ReturnType<typeof api.registries.list.query>>[number];
export type DiskUsage = Awaited<ReturnType<typeof api.hosts.df.query>>;
export type HistoryRow = Awaited<ReturnType<typeof api.images.history.query>>[number];
export type DiffRow = Awaited<ReturnType<typeof api.containers.diff.query>>[number];
export type ServiceRow = Awaited<ReturnType<typeof api.services.list.query>>[number];
export type ServiceDetail = Awaited<ReturnType<typeof api.services.get.query>>;
export type ReplicaRow = ServiceDetail['replicas'][number];
export type ServiceEvent = ServiceDetail['events'][number];
export type ServiceVersion = ServiceDetail['versions'][number];
export type StackRow = Awaited<ReturnType<typeof api.stacks.list.query>>[number];
