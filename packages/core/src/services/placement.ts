// Placeholder until the scheduler lands: online hosts, spread by fewest replicas of the service.
import type { ServiceSpec } from '@berth/protocol';
import type { Placer, ReplicaRow } from './decide.ts';
import type { ObservedHost } from './observe.ts';

export function placerFor(_spec: ServiceSpec, hosts: ObservedHost[], rows: (ReplicaRow & { serviceId: string })[], _services: { id: string; spec: ServiceSpec }[], serviceId: string, avoid: (hostId: string) => string | null): Placer {
  const online = (h: ObservedHost) => h.status === 'online';
  const byId = new Map(hosts.map((h) => [h.id, h]));
  return {
    eligible: (hostId) => !!byId.get(hostId) && online(byId.get(hostId)!),
    place(slots, live) {
      const count = new Map<string, number>();
      for (const r of live) count.set(r.hostId, (count.get(r.hostId) ?? 0) + 1);
      void rows; void serviceId;
      const candidates = hosts.filter((h) => online(h) && !avoid(h.id));
      const placed: { slot: number; hostId: string }[] = [];
      for (const s of slots) {
        if (s.hostId) { if (candidates.some((h) => h.id === s.hostId)) placed.push({ slot: s.slot, hostId: s.hostId }); continue; }
        const best = [...candidates].sort((a, b) => (count.get(a.id) ?? 0) - (count.get(b.id) ?? 0) || a.name.localeCompare(b.name))[0];
        if (!best) continue;
        count.set(best.id, (count.get(best.id) ?? 0) + 1);
        placed.push({ slot: s.slot, hostId: best.id });
      }
      return { placed, unplaced: slots.length - placed.length, why: placed.length < slots.length ? 'no suitable host (none online)' : '' };
    },
  };
}
