'use client';
import { NetworksPanel } from '../../components/networks-panel.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function NetworksPage() {
  return (
    <FleetPage title="Networks">
      <NetworksPanel />
    </FleetPage>
  );
}
