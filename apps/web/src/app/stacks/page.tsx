'use client';
import Link from 'next/link';
import { DeployStackForm } from '../../components/deploy-stack-form.tsx';
import { StacksPanel } from '../../components/stacks-panel.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';
import { hasRole, useRole } from '../../lib/roles.ts';

export default function StacksPage() {
  const operator = hasRole(useRole(), 'operator');
  return (
    <FleetPage title="Stacks" actions={<Link href="/services" className="text-sm text-sky-700 hover:underline dark:text-sky-400">All services</Link>}>
      {operator && <DeployStackForm />}
      <StacksPanel />
    </FleetPage>
  );
}
