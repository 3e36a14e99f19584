'use client';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Breadcrumb, hostTrail } from '../../../../components/breadcrumb.tsx';
import { RunForm } from '../../../../components/run-form.tsx';
import { AppShell } from '../../../../lib/app-shell.tsx';
import { api } from '../../../../lib/trpc.ts';
import { useRouteParams } from '../../../../lib/use-route-params.ts';

function Run({ host }: { host: string }) {
  const h = useQuery({ queryKey: ['host', host], queryFn: () => api.hosts.get.query({ host }) });
  // ?image= comes from an image's Run button; read once, on the client
  const [image, setImage] = useState<string | null>(null);
  useEffect(() => setImage(new URLSearchParams(window.location.search).get('image') ?? ''), []);
  return (
    <>
      <Breadcrumb trail={hostTrail(host)} current="run" />
      <h1 className="mb-4 text-2xl font-semibold">Run a container on {host}</h1>
      {image !== null && <RunForm host={host} initialImage={image} {...(h.data?.facts ? { hostCpus: h.data.facts.cpus } : {})} />}
    </>
  );
}

export default function RunPage() {
  const { name } = useRouteParams<'name'>();
  return (
    <AppShell>
      <Run host={name} />
    </AppShell>
  );
}
