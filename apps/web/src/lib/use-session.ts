'use client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { api, isUnauthorized } from './trpc.ts';

/** The signed-in user; sends the browser to /login when there is none. */
export function useSession() {
  const router = useRouter();
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query() });
  useEffect(() => {
    if (me.error && isUnauthorized(me.error)) router.replace('/login');
  }, [me.error, router]);
  return me;
}
