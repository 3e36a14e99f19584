'use client';
import { Meter } from '@berth/ui';
import type { ReactNode } from 'react';
import type { HostFacts, HostRow } from '../lib/api-types.ts';
import { binarySize } from '../lib/format.ts';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

function Row({ term, children, sub }: { term: string; children: ReactNode; sub?: boolean }) {
  return (
    <>
      <dt className={`text-slate-500 ${sub ? 'pl-4' : ''}`}>{term}</dt>
      <dd className="break-all">{children}</dd>
    </>
  );
}

/** A host's facts laid out as `docker info` prints them. */
export function HostFactsList({ facts }: { facts: HostFacts }) {
  return (
    <dl aria-label="Host facts" className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
      <Row term="Containers">{facts.containers.total}</Row>
      <Row term="Running" sub>{facts.containers.running}</Row>
      <Row term="Paused" sub>{facts.containers.paused}</Row>
      <Row term="Stopped" sub>{facts.containers.stopped}</Row>
      <Row term="Images">{facts.images}</Row>
      <Row term="Server Version">berth agent {facts.agentVersion}</Row>
      <Row term="Storage Driver">{facts.storageDriver}</Row>
      <Row term="Backing Filesystem" sub>{facts.backingFilesystem}</Row>
      <Row term="Cgroup Driver">{facts.cgroupDriver}</Row>
      <Row term="Cgroup Version">{facts.cgroupVersion} ({facts.cgroupMode})</Row>
      <Row term="Runtime">{facts.runtime ? `${facts.runtime.name} ${facts.runtime.version} (${facts.runtime.path})` : <span className="text-rose-600">none that works on this host</span>}</Row>
      {facts.runtimesRefused.map((r) => <Row key={r.name} term={`${r.name} refused`} sub>{r.reason}</Row>)}
      <Row term="Kernel Version">{facts.kernel}</Row>
      <Row term="Operating System">{facts.os}</Row>
      <Row term="OSType">linux</Row>
      <Row term="Architecture">{facts.architecture}</Row>
      <Row term="CPUs">{facts.cpus}</Row>
      <Row term="Total Memory">{binarySize(facts.memoryBytes)}</Row>
      <Row term="Name">{facts.hostname}</Row>
      <Row term="Root Dir">{facts.stateDir}</Row>
      <Row term="Registry Mirrors">{facts.registryMirrors.length ? facts.registryMirrors.join(', ') : 'none'}</Row>
      {/* from agents of protocol 1.2 on; older ones do not say */}
      {facts.defaultBridge !== undefined && (
        <Row term="Default Bridge">{facts.defaultBridge ? <>{facts.defaultBridge.name} {facts.defaultBridge.subnet} <span className="text-slate-500">(gateway {facts.defaultBridge.gateway})</span></> : 'none'}</Row>
      )}
      {facts.ipForwarding !== undefined && (
        <Row term="IPv4 Forwarding">
          {facts.ipForwarding ? 'on' : (
            <span className="inline-flex flex-wrap items-baseline gap-x-1.5 rounded border border-amber-300 bg-amber-50 px-1.5 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
              <span aria-hidden="true">⚠</span>
              <span className="sr-only">Warning:</span>
              <strong className="font-semibold">off</strong>
              <span>— containers cannot reach beyond the host (BERTH_IP_FORWARD=1 on the agent turns it on)</span>
            </span>
          )}
        </Row>
      )}
    </dl>
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
