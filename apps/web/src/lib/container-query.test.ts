import { describe, expect, it } from 'vitest';
import { EMPTY_QUERY, readQuery, searchInput, toggleSort, writeQuery } from './container-query.ts';

describe('the containers table as a URL', () => {
  it('reads every filter, the sort and the page, and writes them back the same', () => {
    const qs = 'q=web&state=running,paused&host=h1&image=nginx&label=tier%3Ddb&sort=name&order=desc&page=3';
    const q = readQuery(new URLSearchParams(qs));
    expect(q).toEqual({ text: 'web', states: ['running', 'paused'], host: 'h1', image: 'nginx', label: 'tier=db', sort: 'name', order: 'desc', page: 3 });
    expect(writeQuery(q)).toBe(qs);
  });

  it('leaves defaults out, so that the plain page is /containers', () => {
    expect(readQuery(new URLSearchParams(''))).toEqual(EMPTY_QUERY);
    expect(writeQuery(EMPTY_QUERY)).toBe('');
    expect(writeQuery({ ...EMPTY_QUERY, sort: 'name', order: 'asc' })).toBe('sort=name');
  });

  it('drops what it does not know rather than failing', () => {
    expect(readQuery(new URLSearchParams('state=running,bogus&sort=drop+table&order=up&page=-2'))).toEqual({ ...EMPTY_QUERY, states: ['running'] });
    // states are written in their fixed order whatever the order they were ticked
    expect(writeQuery({ ...EMPTY_QUERY, states: ['exited', 'running'] })).toBe('state=running,exited');
  });

  it('flips the order of the sorted column, starts another at its default, and goes back to page 1', () => {
    const byName = toggleSort({ ...EMPTY_QUERY, page: 4 }, 'name');
    expect([byName.sort, byName.order, byName.page]).toEqual(['name', 'asc', 1]);
    expect(toggleSort(byName, 'name').order).toBe('desc');
    expect(toggleSort(byName, 'created').order).toBe('desc');
  });

  it('asks containers.search for the page, blank filters left out', () => {
    expect(searchInput({ ...EMPTY_QUERY, text: '  ', host: 'h1', page: 3 }, 50)).toEqual({ host: 'h1', sort: 'created', order: 'desc', hosts: 'stale', offset: 100, limit: 50 });
  });
});
