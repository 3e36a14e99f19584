'use client';
import { NetworksPanel } from '../../components/networks-panel.tsx';
import { AppShell } from '../../lib/app-shell.tsx';
import { useFleetEvents } from '../../lib/use-fleet-events.ts';

function Networks() {
  useFleetEvents({ metrics: false });
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Networks</h1>
      <NetworksPanel />
    </>
  );
}

export default function NetworksPage() {
  return (
    <AppShell>
      <Networks />
    </AppShell>
  );
}
