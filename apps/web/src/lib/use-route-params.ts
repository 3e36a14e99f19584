'use client';
import { useParams } from 'next/navigation';

/** The dynamic segments of the page's route, decoded (a host or container name as typed, not %-escaped). */
export function useRouteParams<K extends string>(): Record<K, string> {
  const params = useParams<Record<K, string>>();
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(String(v))])) as Record<K, string>;
}
