import { describe, expect, it } from 'vitest';
import { actionSuggestions, auditCsvHref, auditInput, EMPTY_AUDIT_FORM } from './audit-filter.ts';

describe('the audit page filters', () => {
  it('leaves blank fields out', () => {
    expect(auditInput(EMPTY_AUDIT_FORM)).toEqual({});
    expect(auditCsvHref(EMPTY_AUDIT_FORM)).toBe('/api/audit/export.csv');
  });
  it('gives the export the same filters as the table, times as instants', () => {
    const form = { ...EMPTY_AUDIT_FORM, user: ' ann ', action: 'container.', outcome: 'error' as const, from: '2026-11-30T10:00' };
    const from = new Date('2026-11-30T10:00');
    expect(auditInput(form)).toEqual({ user: 'ann', action: 'container.', outcome: 'error', from });
    expect(auditCsvHref(form)).toBe(`/api/audit/export.csv?user=ann&action=container.&outcome=error&from=${encodeURIComponent(from.toISOString())}`);
  });
  it('suggests each domain as a prefix, then each action', () => {
    expect(actionSuggestions(['auth.login', 'container.create', 'container.stop', 'team.member.add'])).toEqual(['auth.', 'container.', 'team.', 'auth.login', 'container.create', 'container.stop', 'team.member.add']);
    expect(actionSuggestions([])).toEqual([]);
  });
});
