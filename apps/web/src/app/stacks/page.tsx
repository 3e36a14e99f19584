'use client';
import Link from 'next/link';
import { StacksPanel } from '../../components/stacks-panel.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';

export default function StacksPage() {
  return (
    <FleetPage title="Stacks" actions={<Link href="/services" className="text-sm text-sky-700 hover:underline dark:text-sky-400">All services</Link>}>
      {/*
        COMPOSE UPLOAD GOES HERE: deploying a compose file (stacks.deployCompose, to be added
        to the API) belongs in this section, above the list. Not built yet: stacks.deploy takes a
        parsed StackSpec only.
      */}
      <section aria-label="Deploy a stack" className="mb-4 rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
        Deploying a stack from a compose file will be offered here. Until then a stack is deployed through the API (<code className="text-xs">stacks.deploy</code>).
      </section>
      <StacksPanel />
    </FleetPage>
  );
}
