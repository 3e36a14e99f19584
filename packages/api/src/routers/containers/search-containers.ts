import { z } from 'zod';
import { ContainerStatus } from '@berth/protocol';
import { searchContainers as search, visibleTeamIds } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { HostName } from './agent.ts';
import { ContainerRow } from './list-containers.ts';

/**
 * The fleet's containers, a page at a time, from the inventories agents keep reporting: one
 * query whatever the number of hosts, filtered (text, state, image, label, host) and sorted here.
 * Each host's `inventoryAt` says how fresh its rows are; `containers.list` asks the hosts live.
 * Only hosts of the caller's teams: another team's host named in `host` gives nothing, as an unknown one.
 */
export const searchContainers = authedProcedure
  .input(
    z.object({
      host: HostName.optional(),
      text: z.string().max(200).optional(),
      states: z.array(ContainerStatus).max(7).optional(),
      label: z.string().max(300).optional(),
      image: z.string().max(300).optional(),
      sort: z.enum(['created', 'name', 'host', 'state', 'image']).default('created'),
      order: z.enum(['asc', 'desc']).optional(),
      /** `stale`: only the hosts whose rows may be out of date (the dashboard's note), at most 20 of them, with their total in hostsTotal; `none`: rows only (the command palette) */
      hosts: z.enum(['all', 'stale', 'none']).default('all'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }),
  )
  .output(
    z.object({
      rows: z.array(ContainerRow),
      total: z.number().int(),
      offset: z.number().int(),
      limit: z.number().int(),
      hosts: z.array(z.object({ name: z.string(), status: z.string(), inventoryAt: z.string().nullable() })),
      hostsTotal: z.number().int(),
    }),
  )
  .query(({ ctx, input }) => search({ ...input, teams: visibleTeamIds(ctx.actor) }, ctx.db));
