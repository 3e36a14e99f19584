import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyScore } from './fuzzy.ts';
import { isTyping, shortcutFor, type KeyLike } from './shortcuts.ts';

const el = (tagName: string, o: { type?: string; inTerminal?: boolean; editable?: boolean } = {}) => ({
  tagName,
  ...(o.type ? { type: o.type } : {}),
  isContentEditable: !!o.editable,
  closest: (s: string) => (o.inTerminal && s.includes('.xterm') ? {} : null),
});
const key = (k: string, target = el('BODY'), mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target, ...mods });

describe('keyboard shortcuts', () => {
  it('goes to a page with g then a letter, within the wait', () => {
    expect(shortcutFor(key('g'), null, 0)).toEqual({ kind: 'pending' });
    expect(shortcutFor(key('c'), 0, 500)).toEqual({ kind: 'go', href: '/containers' });
    expect(shortcutFor(key('a'), 0, 500)).toEqual({ kind: 'go', href: '/audit' });
    expect(shortcutFor(key('h'), 0, 500)).toEqual({ kind: 'go', href: '/' });
    // too late, or a letter with no page: nothing
    expect(shortcutFor(key('c'), 0, 5000)).toBeNull();
    expect(shortcutFor(key('z'), 0, 100)).toBeNull();
  });

  it('opens the palette with Ctrl+K or Cmd+K, even from a field, never from the terminal', () => {
    expect(shortcutFor(key('k', el('BODY'), { ctrlKey: true }), null, 0)).toEqual({ kind: 'palette' });
    expect(shortcutFor(key('K', el('INPUT'), { metaKey: true }), null, 0)).toEqual({ kind: 'palette' });
    expect(shortcutFor(key('k', el('TEXTAREA', { inTerminal: true }), { ctrlKey: true }), null, 0)).toBeNull();
  });

  it('? shows the help and / the page search', () => {
    expect(shortcutFor(key('?'), null, 0)).toEqual({ kind: 'help' });
    expect(shortcutFor(key('/'), null, 0)).toEqual({ kind: 'search' });
  });

  it('never fires while typing in a field, an editable element or the terminal', () => {
    for (const target of [el('INPUT'), el('INPUT', { type: 'search' }), el('TEXTAREA'), el('SELECT'), el('DIV', { editable: true }), el('DIV', { inTerminal: true })]) {
      expect(isTyping(target)).toBe(true);
      for (const k of ['g', '?', '/']) expect(shortcutFor(key(k, target), null, 0)).toBeNull();
      expect(shortcutFor(key('c', target), 0, 100)).toBeNull();
    }
    // a checkbox takes no text: shortcuts work from it
    expect(isTyping(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(shortcutFor(key('g', el('INPUT', { type: 'checkbox' })), null, 0)).toEqual({ kind: 'pending' });
  });
});

describe('the palette’s fuzzy match', () => {
  const pages = ['Hosts', 'Containers', 'Images', 'Volumes', 'Networks', 'Services', 'Stacks', 'Registries', 'Audit log', 'Add host'];
  it('puts prefixes first, then substrings, then letters in order', () => {
    expect(fuzzyFilter('aud', pages, (p) => p)[0]).toBe('Audit log');
    expect(fuzzyFilter('st', pages, (p) => p)).toEqual(['Stacks', 'Hosts', 'Registries', 'Add host']);
    expect(fuzzyFilter('vl', pages, (p) => p)).toEqual(['Volumes']);
    expect(fuzzyFilter('ah', pages, (p) => p)[0]).toBe('Add host');
  });
  it('refuses letters out of order, and matches everything with nothing typed', () => {
    expect(fuzzyScore('lv', 'Volumes')).toBeNull();
    expect(fuzzyFilter('', pages, (p) => p)).toEqual(pages);
  });
});
