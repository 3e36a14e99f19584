'use client';
import { Meter } from '@berth/ui';
import type { HostFacts, HostRow } from '../lib/api-types.ts';
import { binarySize } from '../lib/format.ts';
import { Fact, FactList } from './facts.tsx';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** A host's facts laid out as `docker info` prints them. */
export function HostFactsList({ facts }: { facts: HostFacts }) {
  return (
    <FactList label="Host facts">
      <Fact term="Containers">{facts.containers.total}</Fact>
      <Fact term="Running" sub>{facts.containers.running}</Fact>
      <Fact term="Paused" sub>{facts.containers.paused}</Fact>
      <Fact term="Stopped" sub>{facts.containers.stopped}</Fact>
      <Fact term="Images">{facts.images}</Fact>
      <Fact term="Server Version">berth agent {facts.agentVersion}</Fact>
      <Fact term="Storage Driver">{facts.storageDriver}</Fact>
      <Fact term="Backing Filesystem" sub>{facts.backingFilesystem}</Fact>
      <Fact term="Cgroup Driver">{facts.cgroupDriver}</Fact>
      <Fact term="Cgroup Version">{facts.cgroupVersion} ({facts.cgroupMode})</Fact>
      <Fact term="Runtime">{facts.runtime ? `${facts.runtime.name} ${facts.runtime.version} (${facts.runtime.path})` : <span className="text-rose-600">none that works on this host</span>}</Fact>
      {facts.runtimesRefused.map((r) => <Fact key={r.name} term={`${r.name} refused`} sub>{r.reason}</Fact>)}
      {/* docker info's Security Options: "name=seccomp,profile=builtin" shows as seccomp (profile builtin) */}
      {facts.securityOptions && (
        <Fact term="Security Options">
          {facts.securityOptions.map((o) => Object.fromEntries(o.split(',').map((kv) => kv.split('=') as [string, string]))).map((o) => (o.profile ? `${o.name} (profile ${o.profile})` : o.name)).join(', ')}
        </Fact>
      )}
      {facts.usernsRemap && (
        <Fact term="User Namespace Remap" sub>
          {facts.usernsRemap.user}:{facts.usernsRemap.group} <span className="text-slate-500">(uids {facts.usernsRemap.uid.start}–{facts.usernsRemap.uid.start + facts.usernsRemap.uid.size - 1}, gids {facts.usernsRemap.gid.start}–{facts.usernsRemap.gid.start + facts.usernsRemap.gid.size - 1})</span>
        </Fact>
      )}
      <Fact term="Kernel Version">{facts.kernel}</Fact>
      <Fact term="Operating System">{facts.os}</Fact>
      <Fact term="OSType">linux</Fact>
      <Fact term="Architecture">{facts.architecture}</Fact>
      <Fact term="CPUs">{facts.cpus}</Fact>
      <Fact term="Total Memory">{binarySize(facts.memoryBytes)}</Fact>
      <Fact term="Name">{facts.hostname}</Fact>
      <Fact term="Root Dir">{facts.stateDir}</Fact>
      <Fact term="Registry Mirrors">{facts.registryMirrors.length ? facts.registryMirrors.join(', ') : 'none'}</Fact>
      {/* from agents of protocol 1.2 on; older ones do not say */}
      {facts.defaultBridge !== undefined && (
        <Fact term="Default Bridge">{facts.defaultBridge ? <>{facts.defaultBridge.name} {facts.defaultBridge.subnet} <span className="text-slate-500">(gateway {facts.defaultBridge.gateway})</span></> : 'none'}</Fact>
      )}
      {facts.ipForwarding !== undefined && (
        <Fact term="IPv4 Forwarding">
          {facts.ipForwarding ? 'on' : (
            <span className="inline-flex flex-wrap items-baseline gap-x-1.5 rounded border border-amber-300 bg-amber-50 px-1.5 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
              <span aria-hidden="true">⚠</span>
              <span className="sr-only">Warning:</span>
              <strong className="font-semibold">off</strong>
              <span>— containers cannot reach beyond the host (BERTH_IP_FORWARD=1 on the agent turns it on)</span>
            </span>
          )}
        </Fact>
      )}
    </FactList>
  );
}

/** The live figures of the latest heartbeat. */
export function HostMeters({ host }: { host: HostRow }) {
  const m = host.metrics;
  if (!m) return <p className="text-sm text-slate-500">No live figures: the host is not connected.</p>;
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <div><div className="mb-1 text-xs uppercase text-slate-500">CPU</div><Meter label={`${host.name} CPU`} value={m.cpuPercent} max={100} text={`${m.cpuPercent.toFixed(0)}% · ${host.facts?.cpus ?? '?'} CPUs`} /></div>
      <div><div className="mb-1 text-xs uppercase text-slate-500">Memory</div><Meter label={`${host.name} memory`} value={m.memoryUsedBytes} max={m.memoryTotalBytes} text={`${gib(m.memoryUsedBytes)} / ${gib(m.memoryTotalBytes)}`} /></div>
      <div><div className="mb-1 text-xs uppercase text-slate-500">Disk</div><Meter label={`${host.name} disk`} value={m.diskUsedBytes} max={m.diskTotalBytes} text={`${gib(m.diskUsedBytes)} / ${gib(m.diskTotalBytes)}`} /></div>
    </div>
  );
}
