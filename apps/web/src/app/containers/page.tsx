'use client';
import { Suspense } from 'react';
import { FleetContainersTable } from '../../components/fleet-containers.tsx';
import { RunLauncher } from '../../components/run-launcher.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function ContainersPage() {
  return (
    <FleetPage title="Containers" actions={<RunLauncher />}>
      {/* the table follows the URL's query string, known only in the browser */}
      <Suspense fallback={<p className="text-sm text-slate-500">Loading…</p>}>
        <FleetContainersTable />
      </Suspense>
    </FleetPage>
  );
}
