import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor } from '../actor.ts';
import { auditActions } from './query.ts';
import { appendAudit } from './service.ts';

describe('auditActions', () => {
  const t = useTestDatabase();

  it('lists each action the log holds once, in order, and none for an empty log', async () => {
    const db = t().db;
    expect(await auditActions(db)).toEqual([]);
    for (const action of ['team.create', 'container.stop', 'container.create', 'container.stop', 'auth.login', 'container.create']) {
      await db.$transaction((tx) => appendAudit(tx, systemActor(), { action, outcome: 'ok' }));
    }
    expect(await auditActions(db)).toEqual(['auth.login', 'container.create', 'container.stop', 'team.create']);
  });
});
