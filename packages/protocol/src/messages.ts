import { z } from 'zod';
import { ContainerSummary } from './containers.ts';
import { HostFacts, HostMetrics } from './facts.ts';
import { ImageSummary } from './images.ts';
import { VolumeSummary } from './volumes.ts';
import { NetworkSummary } from './networks.ts';

/**
 * Every message on the agent websocket is one JSON text frame of this union, tagged by
 * `type`. Binary frames are reserved for multiplexed streams (logs, exec, files).
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

const Base = { v: z.string() };

// control plane → agent, first frame on every connection
export const Challenge = z.object({ ...Base, type: z.literal('challenge'), nonce: z.string().min(32).max(128) });
export type Challenge = z.infer<typeof Challenge>;

// agent → control plane, answers the challenge
export const Hello = z.object({
  ...Base,
  type: z.literal('hello'),
  agentVersion: z.string().max(64),
  /** Ed25519 public key, SPKI DER in base64 */
  publicKey: z.string().max(200),
  /** signature over challengePayload(nonce, publicKey) */
  signature: z.string().max(200),
  /** present on first contact only */
  enroll: z.object({ joinToken: z.string().max(200), hostName: z.string().min(1).max(63) }).optional(),
});
export type Hello = z.infer<typeof Hello>;

export const Welcome = z.object({ ...Base, type: z.literal('welcome'), hostId: z.string(), hostName: z.string(), heartbeatMs: z.number().int().positive() });
export type Welcome = z.infer<typeof Welcome>;

export const RefusalCode = z.enum(['incompatible_version', 'bad_signature', 'unknown_host', 'revoked', 'bad_join_token', 'name_taken', 'malformed', 'already_connected']);
export type RefusalCode = z.infer<typeof RefusalCode>;
export const Refused = z.object({ ...Base, type: z.literal('refused'), code: RefusalCode, message: z.string() });
export type Refused = z.infer<typeof Refused>;

/** What a host has: sent on every connect and after changes, so the control plane's copy is never stale for long. */
export const HostInventory = z.object({
  containers: z.array(ContainerSummary).max(20_000),
  images: z.array(ImageSummary).max(20_000),
  volumes: z.array(VolumeSummary).max(20_000),
  // absent from agents of protocol 1.1
  networks: z.array(NetworkSummary).max(20_000).default([]),
});
export type HostInventory = z.infer<typeof HostInventory>;

// `inventory` is optional: agents of protocol 1.0 send facts only
export const Inventory = z.object({ ...Base, type: z.literal('inventory'), facts: HostFacts, inventory: HostInventory.optional() });
export type Inventory = z.infer<typeof Inventory>;

export const Heartbeat = z.object({ ...Base, type: z.literal('heartbeat'), at: z.number().int(), metrics: HostMetrics });
export type Heartbeat = z.infer<typeof Heartbeat>;

export const AgentError = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
export type AgentError = z.infer<typeof AgentError>;

// control plane → agent
export const Request = z.object({
  ...Base,
  type: z.literal('request'),
  id: z.string(),
  idempotencyKey: z.string().optional(),
  op: z.string(),
  params: z.unknown(),
  /** a byte stream (see streams.ts) opened by the control plane for this request's data */
  streamId: z.number().int().positive().optional(),
});
export type Request = z.infer<typeof Request>;

// agent → control plane
export const Response = z.object({
  ...Base,
  type: z.literal('response'),
  id: z.string(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: AgentError.optional(),
});
export type Response = z.infer<typeof Response>;

export const Event = z.object({ ...Base, type: z.literal('event'), kind: z.string(), at: z.number().int(), data: z.record(z.string(), z.unknown()) });
export type Event = z.infer<typeof Event>;

export const AgentMessage = z.discriminatedUnion('type', [Hello, Inventory, Heartbeat, Response, Event]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export const ControlMessage = z.discriminatedUnion('type', [Challenge, Welcome, Refused, Request]);
export type ControlMessage = z.infer<typeof ControlMessage>;

/** The bytes an agent signs: bound to this protocol, this nonce and this key, so a signature is useless anywhere else. */
export function challengePayload(nonce: string, publicKey: string): Buffer {
  return Buffer.from(`berth-agent-auth/1\n${nonce}\n${publicKey}`, 'utf8');
}
