'use client';
import { VolumesPanel } from '../../components/volumes-panel.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function VolumesPage() {
  return (
    <FleetPage title="Volumes">
      <VolumesPanel />
    </FleetPage>
  );
}
