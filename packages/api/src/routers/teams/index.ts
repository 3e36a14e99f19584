import { router } from '../../trpc.ts';
import { addMember } from './add-member.ts';
import { createTeam } from './create-team.ts';
import { listMembers } from './list-members.ts';
import { listTeams } from './list-teams.ts';
import { removeMember } from './remove-member.ts';
import { removeTeam } from './remove-team.ts';
import { renameTeam } from './rename-team.ts';
import { setMemberRole } from './set-member-role.ts';

export const teamsRouter = router({ list: listTeams, create: createTeam, rename: renameTeam, remove: removeTeam, members: listMembers, addMember, setMemberRole, removeMember });
