'use client';
import { ContainersTable } from '../../components/containers-table.tsx';
import { RunLauncher } from '../../components/run-launcher.tsx';
import { AppShell } from '../../lib/app-shell.tsx';
import { useFleetEvents } from '../../lib/use-fleet-events.ts';

function Containers() {
  useFleetEvents({ metrics: false });
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Containers</h1>
        <RunLauncher />
      </div>
      <ContainersTable />
    </>
  );
}

export default function ContainersPage() {
  return (
    <AppShell>
      <Containers />
    </AppShell>
  );
}
