'use client';
import { VolumesPanel } from '../../components/volumes-panel.tsx';
import { AppShell } from '../../lib/app-shell.tsx';
import { useFleetEvents } from '../../lib/use-fleet-events.ts';

function Volumes() {
  useFleetEvents({ metrics: false });
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Volumes</h1>
      <VolumesPanel />
    </>
  );
}

export default function VolumesPage() {
  return (
    <AppShell>
      <Volumes />
    </AppShell>
  );
}
