import { router } from '../../trpc.ts';
import { acceptInvitation } from './accept-invitation.ts';
import { createInvitation } from './create-invitation.ts';
import { listInvitations } from './list-invitations.ts';
import { previewInvitation } from './preview-invitation.ts';
import { revokeInvitation } from './revoke-invitation.ts';

export const invitationsRouter = router({ create: createInvitation, list: listInvitations, revoke: revokeInvitation, preview: previewInvitation, accept: acceptInvitation });
