// Which keys of the Compose Specification berth reads, which it ignores (and why), and which it
// refuses because ignoring them would deploy something else than the file says. Keys outside
// these tables (and not x-*) are unknown to compose and are errors.
import type { KeyTable } from './context.ts';

const NOT_SUPPORTED = 'not supported by berth';

export const TOP_LEVEL: KeyTable = {
  supported: ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs'],
  ignored: { models: 'AI models are not supported by berth' },
  refused: { include: 'include is not supported by berth: merge the included files into this one' },
};

export const SERVICE: KeyTable = {
  supported: [
    'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'tmpfs', 'networks',
    'depends_on', 'healthcheck', 'restart', 'deploy', 'scale', 'labels', 'user', 'working_dir', 'hostname', 'tty', 'stdin_open',
    'read_only', 'cap_add', 'cap_drop', 'privileged', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'pids_limit', 'mem_limit',
    'memswap_limit', 'cpus', 'cpu_shares', 'secrets', 'configs',
  ],
  ignored: {
    annotations: 'annotations are not supported by berth',
    attach: 'berth does not attach to services',
    blkio_config: NOT_SUPPORTED,
    cgroup: NOT_SUPPORTED,
    cgroup_parent: 'berth places each container in its own cgroup',
    container_name: 'replicas are named STACK_SERVICE.SLOT.ID',
    cpu_count: 'Windows only',
    cpu_percent: 'Windows only',
    cpu_period: 'use cpus or deploy.resources.limits.cpus',
    cpu_quota: 'use cpus or deploy.resources.limits.cpus',
    cpu_rt_period: NOT_SUPPORTED,
    cpu_rt_runtime: NOT_SUPPORTED,
    cpuset: NOT_SUPPORTED,
    credential_spec: 'Windows only',
    develop: 'compose watch is a development tool; not used by a deploy',
    device_cgroup_rules: 'berth does not pass devices to services',
    devices: 'berth does not pass devices to services',
    domainname: NOT_SUPPORTED,
    external_links: 'services reach each other by name on the stack’s networks',
    gpus: 'berth does not pass devices to services',
    group_add: NOT_SUPPORTED,
    init: NOT_SUPPORTED,
    ipc: NOT_SUPPORTED,
    isolation: 'Windows only',
    label_file: 'write the labels under labels:',
    links: 'services reach each other by name on the stack’s networks',
    logging: 'berth keeps each container’s log itself (conmon, k8s-file format)',
    mac_address: NOT_SUPPORTED,
    mem_reservation: 'use deploy.resources.reservations.memory',
    mem_swappiness: NOT_SUPPORTED,
    models: 'AI models are not supported by berth',
    network_mode: 'a service joins its stack’s networks',
    oom_kill_disable: NOT_SUPPORTED,
    oom_score_adj: NOT_SUPPORTED,
    pid: NOT_SUPPORTED,
    platform: 'hosts pull the image for their own platform',
    post_start: NOT_SUPPORTED,
    pre_stop: NOT_SUPPORTED,
    profiles: 'every service of the file is deployed',
    provider: NOT_SUPPORTED,
    pull_policy: 'hosts pull the image when they do not have it',
    pull_refresh_after: 'hosts pull the image when they do not have it',
    runtime: 'each host uses the OCI runtime it detected',
    security_opt: NOT_SUPPORTED,
    shm_size: NOT_SUPPORTED,
    stop_grace_period: NOT_SUPPORTED,
    stop_signal: NOT_SUPPORTED,
    storage_opt: NOT_SUPPORTED,
    sysctls: NOT_SUPPORTED,
    ulimits: NOT_SUPPORTED,
    use_api_socket: 'berth has no Docker API socket',
    userns_mode: NOT_SUPPORTED,
    uts: NOT_SUPPORTED,
    volumes_from: 'declare the volumes and mount them in each service',
  },
  refused: {
    extends: 'extends is not supported by berth: write the service out in full (YAML anchors and <<: merge keys work)',
  },
};

export const DEPLOY: KeyTable = {
  supported: ['mode', 'replicas', 'labels', 'resources', 'restart_policy', 'placement', 'update_config'],
  ignored: {
    endpoint_mode: 'replicas are reached by their service name through the network’s DNS',
    rollback_config: 'a rollback puts the previous version back with the update settings',
  },
};

export const RESOURCES: KeyTable = { supported: ['limits', 'reservations'] };
export const LIMITS: KeyTable = { supported: ['cpus', 'memory', 'pids'] };
export const RESERVATIONS: KeyTable = {
  supported: ['cpus', 'memory'],
  ignored: { generic_resources: 'berth reserves only cpus and memory', devices: 'berth does not pass devices to services' },
};
export const RESTART_POLICY: KeyTable = {
  supported: ['condition', 'max_attempts'],
  ignored: { delay: 'berth restarts with Docker’s back-off (100 ms doubling to 1 min)', window: NOT_SUPPORTED },
};
export const PLACEMENT: KeyTable = { supported: ['constraints', 'preferences', 'max_replicas_per_node'] };
export const PREFERENCE: KeyTable = { supported: ['spread'] };
export const UPDATE_CONFIG: KeyTable = { supported: ['parallelism', 'delay', 'order', 'failure_action', 'monitor', 'max_failure_ratio'] };

export const HEALTHCHECK: KeyTable = { supported: ['test', 'interval', 'timeout', 'start_period', 'start_interval', 'retries', 'disable'] };

export const PORT: KeyTable = {
  supported: ['target', 'published', 'host_ip', 'protocol', 'mode'],
  ignored: { name: 'port names are not kept', app_protocol: 'not used by berth' },
};

export const VOLUME_MOUNT: KeyTable = {
  supported: ['type', 'source', 'target', 'read_only', 'tmpfs', 'bind', 'volume'],
  ignored: { consistency: 'only meaningful on Docker Desktop', image: NOT_SUPPORTED },
};
export const BIND_OPTIONS: KeyTable = {
  supported: [],
  ignored: { propagation: 'binds are rprivate', create_host_path: NOT_SUPPORTED, recursive: NOT_SUPPORTED, selinux: NOT_SUPPORTED },
};
export const VOLUME_OPTIONS: KeyTable = {
  supported: [],
  ignored: { nocopy: NOT_SUPPORTED, subpath: NOT_SUPPORTED, labels: 'label the volume in the top-level volumes' },
};
export const TMPFS_OPTIONS: KeyTable = { supported: ['size', 'mode'] };

export const SERVICE_NETWORK: KeyTable = {
  supported: [],
  ignored: {
    aliases: 'per-service network aliases are not supported: other services reach it by its service name',
    ipv4_address: 'addresses come from the network’s IPAM',
    ipv6_address: 'berth networks are IPv4 only',
    link_local_ips: NOT_SUPPORTED,
    mac_address: NOT_SUPPORTED,
    interface_name: NOT_SUPPORTED,
    driver_opts: NOT_SUPPORTED,
    priority: NOT_SUPPORTED,
    gw_priority: NOT_SUPPORTED,
  },
};

export const DEPENDS_ON: KeyTable = {
  supported: ['condition'],
  ignored: { restart: 'dependent services are not restarted with it', required: 'every dependency is required' },
};

export const FILE_REFERENCE: KeyTable = { supported: ['source', 'target', 'uid', 'gid', 'mode'] };

export const ENV_FILE: KeyTable = { supported: ['path', 'required'], ignored: { format: 'env files are read in compose’s own format' } };

export const NETWORK: KeyTable = {
  supported: ['name', 'driver', 'external', 'internal', 'ipam', 'labels'],
  ignored: {
    driver_opts: 'berth networks are bridges with its own settings',
    attachable: 'every berth network is attachable',
    enable_ipv4: 'berth networks are IPv4 only',
    enable_ipv6: 'berth networks are IPv4 only',
  },
};
export const IPAM: KeyTable = {
  supported: ['config', 'driver'],
  ignored: { options: NOT_SUPPORTED },
};
export const IPAM_CONFIG: KeyTable = {
  supported: ['subnet'],
  ignored: { ip_range: 'addresses come from the whole subnet', gateway: 'the gateway is the subnet’s first address', aux_addresses: NOT_SUPPORTED },
};

export const VOLUME: KeyTable = {
  supported: ['name', 'driver', 'external', 'labels'],
  ignored: { driver_opts: 'berth volumes are local directories on each host' },
};

export const SECRET: KeyTable = {
  supported: ['name', 'file', 'environment', 'external'],
  ignored: { labels: 'labels of secrets are not kept', driver: NOT_SUPPORTED, driver_opts: NOT_SUPPORTED, template_driver: NOT_SUPPORTED },
};

export const CONFIG: KeyTable = {
  supported: ['name', 'file', 'environment', 'external', 'content'],
  ignored: { labels: 'labels of configs are not kept', template_driver: NOT_SUPPORTED },
};
