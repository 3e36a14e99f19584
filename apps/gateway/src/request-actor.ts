import type { IncomingMessage } from 'node:http';
import { createContext } from '@berth/api';
import type { Actor, FleetDispatcher } from '@berth/core';
import type { Db } from '@berth/db';

/** The request's headers as the API's context reads them. */
export function headersOf(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get: (n) => {
      const v = req.headers[n.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : (v ?? null);
    },
  };
}

/** Who sent a request outside tRPC (terminal, image transfer): the same rules as the API's. */
export async function requestActor(req: IncomingMessage, o: { db: Db; fleet: FleetDispatcher }): Promise<Actor | null> {
  const ctx = await createContext({ headers: headersOf(req), appendHeader: () => {}, db: o.db, fleet: o.fleet, remoteAddr: req.socket.remoteAddress ?? null });
  return ctx.actor;
}
