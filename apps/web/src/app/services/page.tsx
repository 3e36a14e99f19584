'use client';
import { Button } from '@berth/ui';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { CreateServiceForm } from '../../components/create-service-form.tsx';
import { ServicesTable } from '../../components/services-table.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';
import { hasRole, useRole } from '../../lib/roles.ts';

function NoServices({ operator, onCreate }: { operator: boolean; onCreate: () => void }) {
  return (
    <div className="space-y-2">
      <p>No services yet. A service keeps a number of replicas of one image running across the fleet.</p>
      <p>
        {operator ? <><button type="button" onClick={onCreate} className="font-medium text-sky-700 hover:underline dark:text-sky-400">Create one here</button>, or </> : 'An operator can create one, e.g. '}
        with <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">berth service create --name web --replicas 2 IMAGE</code>
      </p>
    </div>
  );
}

/** `docker service ls` with `service create` as a form; ?stack=NAME shows one stack's services. */
export default function ServicesPage() {
  const operator = hasRole(useRole(), 'operator');
  const [creating, setCreating] = useState(false);
  // ?stack= comes from the Stacks page; read once, on the client
  const [stack, setStack] = useState<string | null>(null);
  useEffect(() => setStack(new URLSearchParams(window.location.search).get('stack') ?? ''), []);
  const showAll = () => {
    setStack('');
    window.history.replaceState(null, '', '/services');
  };
  return (
    <FleetPage
      title={stack ? `Services of stack ${stack}` : 'Services'}
      actions={
        <div className="flex items-center gap-3 text-sm">
          <Link href="/stacks" className="text-sky-700 hover:underline dark:text-sky-400">Stacks</Link>
          <Link href="/secrets" className="text-sky-700 hover:underline dark:text-sky-400">Secrets and configs</Link>
          {operator && !creating && <Button variant="primary" onClick={() => setCreating(true)}>Create service</Button>}
        </div>
      }
    >
      {creating && <CreateServiceForm onCancel={() => setCreating(false)} />}
      {stack && (
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
          Only the services of the stack {stack}. <button type="button" onClick={showAll} className="text-sky-700 hover:underline dark:text-sky-400">Show all services</button>
        </p>
      )}
      {stack !== null && <ServicesTable stack={stack || undefined} empty={stack ? `The stack ${stack} has no services.` : <NoServices operator={operator} onCreate={() => setCreating(true)} />} />}
    </FleetPage>
  );
}
