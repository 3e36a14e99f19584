// Keyboard shortcuts: `g` then a letter goes to a page, `?` shows them, `/` finds the page's
// search box, Ctrl+K (Cmd+K) opens the palette. Never while the user types in a field or a
// terminal: the keys are theirs there.

export const GO_TO: ReadonlyArray<{ key: string; href: string; label: string }> = [
  { key: 'h', href: '/', label: 'Hosts' },
  { key: 'c', href: '/containers', label: 'Containers' },
  { key: 'i', href: '/images', label: 'Images' },
  { key: 'v', href: '/volumes', label: 'Volumes' },
  { key: 'n', href: '/networks', label: 'Networks' },
  { key: 's', href: '/services', label: 'Services' },
  { key: 'a', href: '/audit', label: 'Audit log' },
];

/** How long `g` waits for its second key. */
export const SEQUENCE_MS = 1500;

interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  closest?: (selector: string) => unknown;
  type?: string;
}

/** Whether a key pressed in `el` is typing: a text field, a select, an editable element, or the terminal. */
export function isTyping(el: TargetLike | null): boolean {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes((el.type ?? 'text').toLowerCase());
  return !!el.closest?.('.xterm, [data-terminal]');
}

export type ShortcutAction = { kind: 'palette' } | { kind: 'help' } | { kind: 'search' } | { kind: 'go'; href: string } | { kind: 'pending' } | null;

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: TargetLike | null;
}

/**
 * What a key means, given when `g` was last pressed (`pendingSince`, ms, or null): the caller
 * keeps that state, so that this stays a pure function of its arguments.
 */
export function shortcutFor(e: KeyLike, pendingSince: number | null, now: number): ShortcutAction {
  const inTerminal = !!e.target?.closest?.('.xterm, [data-terminal]');
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') return inTerminal ? null : { kind: 'palette' };
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return null;
  if (pendingSince !== null && now - pendingSince <= SEQUENCE_MS) {
    const go = GO_TO.find((g) => g.key === e.key.toLowerCase());
    return go ? { kind: 'go', href: go.href } : null;
  }
  if (e.key === 'g') return { kind: 'pending' };
  if (e.key === '?') return { kind: 'help' };
  if (e.key === '/') return { kind: 'search' };
  return null;
}
