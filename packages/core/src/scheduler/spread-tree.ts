// Where the next replica goes. Hosts are grouped by the values of the preference labels, one level
// per preference (Swarm's `spread: node.labels.zone`, hierarchical when there are several); at each
// level the branch with the fewest replicas of the service that still has room gets the replica,
// so replicas even out across zones first and across hosts inside a zone second. Hosts without
// the label share one branch, as in Swarm. In a branch, spread takes the host with the fewest
// replicas of the service, then the fewest containers, then by name; binpack the fullest host
// that still fits. Heaps at every level: O(depth · log hosts) per replica.
import { Heap } from './heap.ts';
import type { HostState } from './host-state.ts';

export type Strategy = 'spread' | 'binpack';

interface Branch {
  /** the label value shared by the branch's hosts ('' for hosts without the label) */
  key: string;
  /** this service's replicas on the branch's hosts */
  count: number;
  /** inner branch: the sub-branches that still have room */
  children: Heap<Branch> | null;
  /** leaf: the hosts that can take one more replica */
  hosts: Heap<HostState> | null;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const spreadOrder = (a: HostState, b: HostState): number =>
  a.replicas - b.replicas || a.containers - b.containers || byText(a.name, b.name) || byText(a.host.id, b.host.id);

const binpackOrder = (a: HostState, b: HostState): number =>
  b.fullness() - a.fullness() || b.replicas - a.replicas || b.containers - a.containers || byText(a.name, b.name) || byText(a.host.id, b.host.id);

const branchOrder = (a: Branch, b: Branch): number => a.count - b.count || byText(a.key, b.key);

const hasRoom = (b: Branch): boolean => (b.hosts ?? b.children)!.size > 0;

export class SpreadTree {
  private readonly root: Branch;
  private readonly hostLess: (a: HostState, b: HostState) => boolean;

  /**
   * @param hosts the hosts that may hold replicas (their kept replicas count for evenness); those
   *   that cannot take one more are counted but never chosen
   * @param labels the preference label keys, outermost first
   */
  constructor(hosts: readonly HostState[], labels: readonly string[], strategy: Strategy) {
    const order = strategy === 'binpack' ? binpackOrder : spreadOrder;
    this.hostLess = (a, b) => order(a, b) < 0;
    this.root = this.build(hosts, labels, 0, '');
  }

  private build(hosts: readonly HostState[], labels: readonly string[], depth: number, key: string): Branch {
    let count = 0;
    for (const h of hosts) count += h.replicas;
    if (depth === labels.length) {
      return { key, count, children: null, hosts: new Heap(this.hostLess, hosts.filter((h) => h.fits())) };
    }
    const label = labels[depth]!;
    const groups = new Map<string, HostState[]>();
    for (const h of hosts) {
      const v = h.host.labels[label] ?? '';
      const g = groups.get(v);
      if (g) g.push(h);
      else groups.set(v, [h]);
    }
    const branches = [...groups].map(([v, g]) => this.build(g, labels, depth + 1, v));
    return { key, count, children: new Heap((a, b) => branchOrder(a, b) < 0, branches.filter(hasRoom)), hosts: null };
  }

  /** The host the next replica goes to, counted there already; null when no host has room. */
  next(): HostState | null {
    return hasRoom(this.root) ? this.descend(this.root) : null;
  }

  private descend(branch: Branch): HostState {
    branch.count++;
    if (branch.hosts) {
      const h = branch.hosts.pop()!;
      h.replicas++;
      h.containers++;
      if (h.fits()) branch.hosts.push(h);
      return h;
    }
    const child = branch.children!.pop()!;
    const h = this.descend(child);
    if (hasRoom(child)) branch.children!.push(child);
    return h;
  }
}
