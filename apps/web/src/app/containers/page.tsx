'use client';
import { FleetContainersTable } from '../../components/fleet-containers.tsx';
import { RunLauncher } from '../../components/run-launcher.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function ContainersPage() {
  return (
    <FleetPage title="Containers" actions={<RunLauncher />}>
      <FleetContainersTable />
    </FleetPage>
  );
}
