import { router } from '../../trpc.ts';
import { addOverSsh, addOverSshProgress, cancelAddOverSsh } from './add-over-ssh.ts';
import { createJoinToken } from './create-join-token.ts';
import { getHost } from './get-host.ts';
import { hostDf } from './host-df.ts';
import { hostFacts } from './host-facts.ts';
import { listHosts } from './list-hosts.ts';
import { removeHost } from './remove-host.ts';
import { revokeHost } from './revoke-host.ts';
import { labelHost } from './label-host.ts';
import { moveHost } from './move-host.ts';

export const hostsRouter = router({ list: listHosts, get: getHost, facts: hostFacts, revoke: revokeHost, remove: removeHost, createJoinToken, df: hostDf, addOverSsh, addOverSshProgress, cancelAddOverSsh, label: labelHost, moveToTeam: moveHost });
