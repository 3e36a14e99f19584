'use client';
import { Notice } from '@berth/ui';
import { AddHostSsh } from '../../components/add-host-ssh.tsx';
import { Breadcrumb } from '../../components/breadcrumb.tsx';
import { JoinTokenForm } from '../../components/join-token-form.tsx';
import { AppShell } from '../../lib/app-shell.tsx';
import { hasRole, useRole } from '../../lib/roles.ts';

function AddHost() {
  const role = useRole();
  return (
    <>
      <Breadcrumb trail={[{ href: '/', label: 'Hosts' }]} current="add over SSH" />
      <h1 className="mb-1 text-2xl font-semibold">Add a host over SSH</h1>
      <p className="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        The control plane connects to the machine, verifies its host key, uploads the agent with its own Node.js, installs the berth-agent
        systemd unit with a single-use join token, and waits for the host to enroll.
      </p>
      {role === undefined ? null : hasRole(role, 'admin') ? <><AddHostSsh /><JoinTokenForm /></> : <Notice tone="warning">Adding a host needs the admin role (of a team, or site-wide); you are {role}: ask an admin.</Notice>}
    </>
  );
}

export default function AddHostPage() {
  return (
    <AppShell>
      <AddHost />
    </AppShell>
  );
}
