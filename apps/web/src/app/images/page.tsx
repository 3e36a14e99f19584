'use client';
import { ImagesPanel } from '../../components/images-panel.tsx';
import { AppShell } from '../../lib/app-shell.tsx';
import { useFleetEvents } from '../../lib/use-fleet-events.ts';

function Images() {
  useFleetEvents({ metrics: false });
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Images</h1>
      <ImagesPanel />
    </>
  );
}

export default function ImagesPage() {
  return (
    <AppShell>
      <Images />
    </AppShell>
  );
}
