// Why a replica could not be placed, in the words `docker service ps --no-trunc` uses: one line
// per host ("h4: offline") and one summary counting hosts per kind of failure, most first, as
// swarmkit's pipeline explains "no suitable node (scheduling constraints not satisfied on 3
// nodes; insufficient resources on 1 node)".

/** Why one host cannot take (another) replica of the service. */
export type RefusalKind = 'unavailable' | 'constraints' | 'max-replicas' | 'resources';

export interface HostRefusal {
  hostId: string;
  host: string;
  kind: RefusalKind;
  /** "h3: constraint node.labels.zone == eu not met (zone=us)" */
  message: string;
}

// the order of the kinds when their counts are equal: the order a host is checked in
const ORDER: RefusalKind[] = ['unavailable', 'constraints', 'max-replicas', 'resources'];

const hosts = (n: number) => (n === 1 ? '1 host' : `${n} hosts`);

const PHRASE: Record<RefusalKind, (n: number) => string> = {
  unavailable: (n) => `${hosts(n)} not available for new replicas`,
  constraints: (n) => `scheduling constraints not satisfied on ${hosts(n)}`,
  'max-replicas': (n) => `max replicas per host reached on ${hosts(n)}`,
  resources: (n) => `insufficient resources on ${hosts(n)}`,
};

/** "scheduling constraints not satisfied on 3 hosts; insufficient resources on 1 host" */
export function refusalCounts(refusals: readonly HostRefusal[]): string {
  if (refusals.length === 0) return 'no hosts in the fleet';
  const count = new Map<RefusalKind, number>();
  for (const r of refusals) count.set(r.kind, (count.get(r.kind) ?? 0) + 1);
  return [...count]
    .sort((a, b) => b[1] - a[1] || ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]))
    .map(([kind, n]) => PHRASE[kind](n))
    .join('; ');
}

/** Bytes as people read reservations: 512 MiB, 1.5 GiB, 300 KiB, 17 B. */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, bytes);
  const units: Array<[string, number]> = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
  for (const [unit, size] of units) {
    if (b >= size) return `${+(b / size).toFixed(1)} ${unit}`;
  }
  return `${b} B`;
}

/** CPUs with at most two decimals: 2, 0.5, 0.25. */
export function formatCpus(nanoCpus: number): string {
  return String(+(Math.max(0, nanoCpus) / 1e9).toFixed(2));
}
