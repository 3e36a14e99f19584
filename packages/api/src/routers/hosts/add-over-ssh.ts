// "Add host over SSH" for the dashboard (issue 3, item 5): the gateway connects to the machine,
// verifies its host key, uploads the agent, writes the unit and waits for the enrollment, while
// the caller watches the steps.
//
// The password or private key comes in the mutation's body (POST), is handed to ssh2 for this
// one connection and dropped: it is never stored, logged, audited or put in a URL. That is why
// there are two procedures: a subscription's input travels in the query string (SSE), so the
// subscription takes only the operation's id.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError, HOST_NAME } from '@berth/core';
import { addHostOverSsh, HostKeyUnknownError, parseFingerprint, SshInstallError, type SshAuth } from '@berth/core/ssh-install/index';
import { teamRoleProcedure, toTRPCError } from '../../trpc.ts';
import { MAX_RUNNING, sshOperations, type SshAddEvent } from './ssh-operations.ts';

/** The checkout this gateway runs from (packages/api/src/routers/hosts/ → the repo root): what gets bundled and installed. */
export const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');

const Fingerprint = z.string().max(200).transform((s, ctx) => {
  try {
    return parseFingerprint(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const AddOverSshInput = z
  .object({
    /** A host name or an IP address (IPv6 without brackets). */
    address: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:_%-]+$/, 'a host name or an IP address'),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'a user name (root, or a user with passwordless sudo)'),
    password: z.string().min(1).max(1024).optional(),
    /** PEM (or OpenSSH) private key text. */
    privateKey: z.string().min(1).max(64 * 1024).optional(),
    /** The private key's passphrase, when it is encrypted. */
    passphrase: z.string().max(1024).optional(),
    /** The fingerprint the user accepted after a `host-key` event. */
    knownHostKey: Fingerprint.optional(),
    hostName: z.string().regex(HOST_NAME, 'use lower-case letters, digits and -'),
    /** the team the host joins (by name or id); checked when its join token is made */
    team: z.string().min(1).max(64).optional(),
    /**
     * The URL the agent dials, ws(s)://…/agent. Required: the API sees no request headers (its
     * context has none), so the dashboard derives it from its own location (wss://<host>/agent).
     */
    controlPlaneUrl: z.string().max(2048).url().refine((u) => /^wss?:\/\//.test(u), 'a ws:// or wss:// URL, e.g. wss://berth.example.com/agent'),
    allowInsecure: z.boolean().default(false),
    /** base64 sha256 of the control plane certificate's public key, for the agent to pin. */
    pinSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=?$/, 'base64 of a sha256 digest').optional(),
  })
  .refine((i) => (i.password === undefined) !== (i.privateKey === undefined), { message: 'give either a password or a private key', path: ['password'] })
  .refine((i) => i.passphrase === undefined || i.privateKey !== undefined, { message: 'a passphrase goes with a private key', path: ['passphrase'] });

/** Starts installing the agent on a machine over SSH; returns at once with the operation to watch. */
export const addOverSsh = teamRoleProcedure('admin', 'adding a host over SSH').meta({ action: 'host.add-ssh' })
  .input(AddOverSshInput)
  .output(z.object({ operationId: z.string() }))
  .mutation(({ ctx, input }) => {
    const busy = sshOperations.running(input.hostName, input.address);
    if (busy) throw new AppError('CONFLICT', `an installation on ${busy.address} as ${busy.hostName} is already running: wait for it to end, or cancel it`, { operationId: busy.id });
    if (sshOperations.runningCount() >= MAX_RUNNING) throw new AppError('CONFLICT', `${MAX_RUNNING} installations over SSH are already running on this control plane: wait for one to end`);
    const auth: SshAuth = input.privateKey !== undefined ? { privateKey: input.privateKey, ...(input.passphrase ? { passphrase: input.passphrase } : {}) } : { password: input.password! };
    const actor = ctx.actor;
    const db = ctx.db;
    const operationId = sshOperations.start(actor, { hostName: input.hostName, address: input.address }, async (emit, signal) => {
      let failedStep: number | null = null;
      try {
        const result = await addHostOverSsh(
          actor,
          {
            address: input.address,
            port: input.port,
            username: input.username,
            auth,
            ...(input.knownHostKey ? { knownHostKey: input.knownHostKey } : {}),
            hostName: input.hostName,
            ...(input.team ? { team: input.team } : {}),
            controlPlaneUrl: input.controlPlaneUrl,
            allowInsecure: input.allowInsecure,
            ...(input.pinSha256 ? { pinSha256: input.pinSha256 } : {}),
          },
          { source: SOURCE_ROOT, db, signal, onStep: (step) => {
            if (step.status === 'failed') failedStep = step.n;
            emit({ type: 'step', step: { ...step } });
          } },
        );
        const host = await db.host.findUnique({ where: { name: input.hostName }, select: { id: true, name: true } });
        emit(host ? { type: 'done', fingerprint: result.fingerprint, host } : { type: 'error', message: `the install ended but host ${input.hostName} is not in the database`, step: null });
      } catch (err) {
        const e = failure(err);
        emit(e.type === 'error' && e.step === null ? { ...e, step: failedStep } : e);
      }
    });
    return { operationId };
  });

/** The final event for an error: a host key to accept, or what went wrong (never a secret). */
function failure(err: unknown): SshAddEvent {
  if (err instanceof HostKeyUnknownError) return { type: 'host-key', fingerprint: err.fingerprint, keyType: err.keyType, host: err.host, port: err.port };
  if (err instanceof SshInstallError) return { type: 'error', message: err.message, step: err.step ?? null };
  if (err instanceof AppError) return { type: 'error', message: err.message, step: null };
  return { type: 'error', message: (err as Error)?.message ?? String(err), step: null };
}

const OperationRef = z.object({ operationId: z.string().uuid() });

/**
 * The operation's events: its past steps first, then the new ones as they happen, and one final
 * event (`host-key`, `done` or `error`). Only the admin who started it may watch it.
 */
export const addOverSshProgress = teamRoleProcedure('admin', 'adding a host over SSH')
  .input(OperationRef)
  .subscription(({ ctx, input, signal }) => {
    const op = sshOperations.get(input.operationId, ctx.actor);
    if (!op) throw toTRPCError(new AppError('NOT_FOUND', `no installation ${input.operationId} of yours on this control plane: it ended more than 15 minutes ago, the control plane restarted, or another admin started it`));
    return sshOperations.watch(op, signal);
  });

/** Stops an installation in progress (what was already done on the host stays). */
export const cancelAddOverSsh = teamRoleProcedure('admin', 'adding a host over SSH')
  .input(OperationRef)
  .output(z.object({ cancelled: z.boolean() }))
  .mutation(({ ctx, input }) => ({ cancelled: sshOperations.cancel(input.operationId, ctx.actor) }));
