import { router } from '../../trpc.ts';
import { listAuditActions } from './list-actions.ts';
import { listAudit } from './list-audit.ts';
import { verifyAudit } from './verify-audit.ts';

export const auditRouter = router({ list: listAudit, actions: listAuditActions, verify: verifyAudit });
