'use client';
import { ImagesPanel } from '../../components/images-panel.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function ImagesPage() {
  return (
    <FleetPage title="Images">
      <ImagesPanel />
    </FleetPage>
  );
}
