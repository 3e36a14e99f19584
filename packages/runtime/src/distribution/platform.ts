// Picking the host's manifest out of an image index, with containerd's matching rules
// (arm64 = arm64/v8; an armv7 host runs v6 and v5 images), best match first.
import type { Descriptor, Platform } from './manifest.ts';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

// process.arch → OCI architecture names (GOARCH).
const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64le' };

/** This process's platform: linux/amd64, linux/arm64/v8, linux/arm/v7 (variant from Node's build). */
export function hostPlatform(): PlatformSpec {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const armVersion = (process.config.variables as { arm_version?: string }).arm_version;
    return { os: 'linux', architecture, variant: `v${armVersion ?? '7'}` };
  }
  return { os: process.platform, architecture };
}

export function formatPlatform(p: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== '').join('/');
}

/** Variants `host` can run, best first; empty string means "no variant given". */
function compatibleVariants(host: PlatformSpec): string[] {
  const variant = host.variant ?? '';
  if (host.architecture === 'arm64') return variant === '' || variant === 'v8' ? ['v8', ''] : [variant, ''];
  if (host.architecture === 'arm') {
    const n = Number(/^v(\d+)$/.exec(variant)?.[1] ?? '7');
    const out: string[] = [];
    for (let v = n; v >= 5; v--) out.push(`v${v}`);
    return [...out, ''];
  }
  return variant === '' ? [''] : [variant, ''];
}

/** How well `candidate` fits `host`: lower is better, null if it cannot run. */
export function platformRank(candidate: Pick<Platform, 'os' | 'architecture' | 'variant'>, host: PlatformSpec): number | null {
  if (candidate.os !== host.os || candidate.architecture !== host.architecture) return null;
  const rank = compatibleVariants(host).indexOf(candidate.variant ?? '');
  // amd64 variants (v2, v3) are feature levels the host may lack; only an exact or absent one is safe.
  return rank === -1 ? null : rank;
}

/** The best manifest for `host` in an index, or null (the caller names what the index offers). */
export function selectManifest(manifests: readonly Descriptor[], host: PlatformSpec): Descriptor | null {
  let best: { desc: Descriptor; rank: number } | null = null;
  for (const desc of manifests) {
    if (!desc.platform) continue;
    const rank = platformRank(desc.platform, host);
    if (rank !== null && (best === null || rank < best.rank)) best = { desc, rank };
  }
  return best?.desc ?? null;
}

/** The platforms an index offers, for error messages (attestation entries, unknown/unknown, left out). */
export function offeredPlatforms(manifests: readonly Descriptor[]): string[] {
  const names = manifests
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map((d) => formatPlatform(d.platform as Platform));
  return [...new Set(names)];
}
