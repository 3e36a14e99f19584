'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { RunForm } from '../../../../components/run-form.tsx';
import { AppShell } from '../../../../lib/app-shell.tsx';
import { api } from '../../../../lib/trpc.ts';

function Run({ host }: { host: string }) {
  const h = useQuery({ queryKey: ['host', host], queryFn: () => api.hosts.get.query({ host }) });
  // ?image= comes from an image's Run button; read once, on the client
  const [image, setImage] = useState<string | null>(null);
  useEffect(() => setImage(new URLSearchParams(window.location.search).get('image') ?? ''), []);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/" className="hover:underline">Hosts</Link> / <Link href={`/hosts/${encodeURIComponent(host)}`} className="hover:underline">{host}</Link> / run
      </nav>
      <h1 className="mb-4 text-2xl font-semibold">Run a container on {host}</h1>
      {image !== null && <RunForm host={host} initialImage={image} {...(h.data?.facts ? { hostCpus: h.data.facts.cpus } : {})} />}
    </>
  );
}

export default function RunPage() {
  const { name } = useParams<{ name: string }>();
  return (
    <AppShell>
      <Run host={decodeURIComponent(name)} />
    </AppShell>
  );
}
