'use client';
import { Button, inputBase, Notice } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { attachPlan, type AttachPlan } from '../lib/attach.ts';
import { decodeServerFrame, execUrl, resizeMessage, type AttachRequest, type ExecRequest } from '../lib/exec-frames.ts';
import { splitShellWords } from '../lib/shell-words.ts';
import { api, errorMessage } from '../lib/trpc.ts';

type Mode = 'exec' | 'attach';
type Session = { n: number; mode: 'exec'; cmd: string[] } | { n: number; mode: 'attach'; plan: AttachPlan };
type Phase = 'idle' | 'connecting' | 'open' | 'exited' | 'error' | 'closed';
type Ending = { tone: 'info' | 'error'; text: string };

const MODES: { id: Mode; label: string }[] = [{ id: 'exec', label: 'Exec' }, { id: 'attach', label: 'Attach' }];

/**
 * The container's terminal in the browser: xterm.js over the /api/exec websocket, in one of two
 * modes. Exec runs a new command in the container (`docker exec -it CONTAINER sh`); Attach joins
 * its main process (`docker attach`): typing into it when the container was created with -it,
 * else watching its output. The terminal follows the panel's size (fit addon, then a resize
 * message), keystrokes go as binary frames, and the session ends with the exit code, the
 * server's refusal, or this side's Disconnect / Detach (a detach leaves the container running).
 */
export function TerminalPanel({ host, id, name, visible, running, autoAttach = false }: { host: string; id: string; name: string; visible: boolean; running: boolean; autoAttach?: boolean }) {
  const [mode, setMode] = useState<Mode>(autoAttach ? 'attach' : 'exec');
  const [command, setCommand] = useState('sh');
  const [session, setSession] = useState<Session | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [ending, setEnding] = useState<Ending | null>(null);
  const panel = useRef<HTMLElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const socket = useRef<WebSocket | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const termRef = useRef<Terminal | null>(null);
  // the name as it is now, for messages of a session that began under another (a rename)
  const nameRef = useRef(name);
  useEffect(() => {
    nameRef.current = name;
  }, [name]);
  // ends the current session once: the first of exit, error, close or Disconnect wins
  const endRef = useRef<((p: Phase, e: Ending) => void) | null>(null);
  const noteId = useId();
  const words = splitShellWords(command);
  const invalid = mode !== 'exec' ? null : 'error' in words ? words.error : words.words.length === 0 ? 'a command is needed, e.g. sh or bash' : null;
  // whether the main process takes a keyboard: Config.Tty and Config.OpenStdin, as docker inspect shows them
  const inspect = useQuery({ queryKey: ['container', host, id, 'inspect'], queryFn: () => api.containers.inspect.query({ host, id }), enabled: mode === 'attach' });
  const plan = inspect.data ? attachPlan(inspect.data, name) : null;

  useEffect(() => {
    if (!session) return;
    let disposed = false;
    let ws: WebSocket | null = null;
    let term: Terminal | null = null;
    let observer: ResizeObserver | null = null;
    let frame = 0;
    const attach = session.mode === 'attach' ? session.plan : null;
    // an attach without -i only shows output; without -t that output is plain lines, not a terminal's
    const typing = !attach || attach.stdin;
    const terminalOutput = !attach || attach.tty;
    void (async () => {
      // xterm touches the DOM when it loads: only in the browser, and only once asked for
      const [{ Terminal: XTerm }, { FitAddon: Fit }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !box.current) return;
      const t = new XTerm({
        cursorBlink: typing, disableStdin: !typing, convertEol: !terminalOutput,
        fontSize: 13, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', theme: { background: '#020617' }, scrollback: 5000,
      });
      term = t;
      termRef.current = t;
      // Ctrl+C (⌘C) copies when text is selected, and is the interrupt otherwise; pasting is xterm's own
      t.attachCustomKeyEventHandler((e) => {
        if (e.type === 'keydown' && (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && t.hasSelection()) {
          void navigator.clipboard?.writeText(t.getSelection()).catch(() => undefined);
          return false;
        }
        return true;
      });
      const fit = new Fit();
      fitRef.current = fit;
      t.loadAddon(fit);
      t.open(box.current);
      fit.fit();
      // the session's screen in view: the panel may sit below the fold (the page grows above it as its
      // sections load), where xterm paints nothing (it pauses rendering while its screen is off screen)
      // and where its focus does not scroll to (preventScroll): the output would wait for a scroll
      if (box.current.clientWidth > 0) panel.current?.scrollIntoView({ block: 'nearest' });
      let ended = false;
      const end = (p: Phase, e: Ending) => {
        if (ended) return;
        ended = true;
        setPhase(p);
        setEnding(e);
      };
      endRef.current = end;
      const s = new WebSocket(execUrl(window.location));
      ws = s;
      socket.current = s;
      s.binaryType = 'arraybuffer';
      let opened = false;
      s.onopen = () => {
        opened = true;
        const size = { cols: t.cols, rows: t.rows };
        const request: ExecRequest | AttachRequest = attach
          ? { host, id, attach: true, start: false, stdin: attach.stdin, ...(attach.tty ? { tty: size } : {}) }
          : { host, id, cmd: session.mode === 'exec' ? session.cmd : [], tty: size, interactive: true };
        s.send(JSON.stringify(request));
        setPhase('open');
        t.focus();
      };
      s.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
        const f = decodeServerFrame(ev.data);
        if (f.kind === 'output') t.write(f.bytes);
        else if (f.kind === 'exit') {
          if (session.mode === 'exec') end('exited', { tone: f.code === 0 ? 'info' : 'error', text: `${session.cmd.join(' ')} exited with code ${f.code ?? '?'}` });
          else if (f.code === null) end('closed', { tone: 'info', text: `Detached: ${nameRef.current} keeps running.` });
          else end('exited', { tone: f.code === 0 ? 'info' : 'error', text: `The main process of ${nameRef.current} exited with code ${f.code}: the container stopped with it.` });
        } else if (f.kind === 'error') end('error', { tone: 'error', text: f.code ? `${f.message} (${f.code})` : f.message });
      };
      s.onclose = (ev) => {
        socket.current = null;
        if (disposed) return;
        const reason = ev.reason ? `: ${ev.reason}` : '';
        end(opened ? 'closed' : 'error', !opened
          ? { tone: 'error', text: 'the server refused the terminal: sign in again, or open the dashboard from its own address' }
          : attach
          ? { tone: 'error', text: `the connection closed${reason} while attached; ${nameRef.current} keeps running` }
          : { tone: 'error', text: `the connection closed${reason} before the command ended` });
      };
      const encoder = new TextEncoder();
      const send = (bytes: Uint8Array) => {
        if (typing && s.readyState === WebSocket.OPEN && !ended) s.send(bytes);
      };
      t.onData((d) => send(encoder.encode(d)));
      t.onBinary((d) => send(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
      t.onResize(({ cols, rows }) => {
        if (terminalOutput && s.readyState === WebSocket.OPEN && !ended) s.send(resizeMessage(cols, rows));
      });
      observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => {
          // a hidden panel has no size: fit when it shows again
          if (box.current && box.current.clientWidth > 0) fit.fit();
        });
      });
      observer.observe(box.current);
    })().catch((err: unknown) => {
      if (disposed) return;
      setPhase('error');
      setEnding({ tone: 'error', text: `the terminal could not start: ${err instanceof Error ? err.message : String(err)}` });
    });
    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      observer?.disconnect();
      // closing the socket ends an exec, and only detaches an attach
      ws?.close();
      term?.dispose();
      termRef.current = null;
      fitRef.current = null;
    };
  }, [session, host, id]);

  // showing the panel again: fit the terminal to it and give it the keyboard
  useEffect(() => {
    if (!visible) return;
    const t = setTimeout(() => {
      if (box.current && box.current.clientWidth > 0) fitRef.current?.fit();
      termRef.current?.focus();
    }, 0);
    return () => clearTimeout(t);
  }, [visible]);

  const begin = (next: { mode: 'exec'; cmd: string[] } | { mode: 'attach'; plan: AttachPlan }) => {
    setEnding(null);
    setPhase('connecting');
    setSession((s) => ({ ...next, n: (s?.n ?? 0) + 1 }));
  };

  // run -it without -d: the page opens attached, as `docker run -it` leaves the user in the container
  const autoAttached = useRef(false);
  useEffect(() => {
    if (!autoAttach || autoAttached.current) return;
    setMode('attach');
    if (!plan || !running) return;
    autoAttached.current = true;
    setEnding(null);
    setPhase('connecting');
    setSession((s) => ({ mode: 'attach', plan, n: (s?.n ?? 0) + 1 }));
  }, [autoAttach, plan, running]);

  const connect = (e: FormEvent) => {
    e.preventDefault();
    if (!running) return;
    if (mode === 'attach') {
      if (plan) begin({ mode: 'attach', plan });
      return;
    }
    if ('error' in words || invalid) return;
    begin({ mode: 'exec', cmd: words.words });
  };
  const disconnect = () => {
    const s = socket.current;
    if (session?.mode === 'attach') {
      // a detach: the socket closes, the main process goes on (its stdin stays open for the next attach)
      endRef.current?.('closed', { tone: 'info', text: `Detached: ${name} keeps running.` });
    } else {
      endRef.current?.('closed', { tone: 'info', text: 'Disconnected.' });
      if (s && s.readyState === WebSocket.OPEN) s.send(JSON.stringify({ eof: true }));
    }
    s?.close();
    setPhase('closed');
  };
  const live = phase === 'connecting' || phase === 'open';
  const liveMode = live && session ? session.mode : mode;
  const shownPlan = live && session?.mode === 'attach' ? session.plan : plan;
  const attachBlocked = mode === 'attach' && !plan;

  const status = (() => {
    if (!running && !live) return `${name} is not running: start it to open a terminal`;
    if (phase === 'connecting') return liveMode === 'attach' ? 'attaching…' : 'connecting…';
    if (phase === 'open' && session?.mode === 'exec') return `connected · ${session.cmd.join(' ')} in ${name}`;
    if (phase === 'open' && session?.mode === 'attach') {
      return session.plan.stdin
        ? `attached to ${name} · keystrokes go to its main process (press Enter for a fresh prompt) · Detach leaves it running`
        : `attached to ${name}, read-only · its output from now on · Detach leaves it running`;
    }
    if (mode === 'attach') {
      if (inspect.isPending) return 'reading the container’s settings…';
      return `joins ${name}’s main process, like docker attach; detaching leaves the container running`;
    }
    return phase === 'idle' ? 'runs the command in the container, like docker exec -it' : '';
  })();

  return (
    <section ref={panel} aria-label="Terminal" className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <form onSubmit={connect} aria-label={`Terminal of ${name}`} className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
        <h2 className="font-medium">Terminal</h2>
        <fieldset disabled={live} className="flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
          <legend className="sr-only">Mode</legend>
          {MODES.map((m) => (
            <label key={m.id} className={`relative px-2 py-0.5 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:-outline-offset-2 has-[:focus-visible]:outline-sky-400 ${mode === m.id ? 'bg-sky-700 font-medium text-white' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`}>
              {/* the native radio, invisible over its segment: keyboard, screen readers and clicks as any radio */}
              <input type="radio" name={`terminal-mode-${id}`} value={m.id} checked={mode === m.id} onChange={() => setMode(m.id)} className="absolute inset-0 m-0 cursor-pointer appearance-none opacity-0 disabled:cursor-not-allowed" />
              {m.label}
            </label>
          ))}
        </fieldset>
        {mode === 'exec' && (
          <label className="flex items-center gap-1.5">
            Command
            <input value={command} onChange={(e) => setCommand(e.target.value)} disabled={live} aria-invalid={!!invalid} spellCheck={false} autoComplete="off" className={`${inputBase} w-48 py-0.5 font-mono text-xs`} />
          </label>
        )}
        {/* distinct keys: a button that turned into the submit button while its click is handled would submit the form */}
        {phase === 'connecting'
          ? <Button key="connecting" size="sm" disabled>{liveMode === 'attach' ? 'Attaching…' : 'Connecting…'}</Button>
          : phase === 'open'
          ? <Button key="disconnect" size="sm" onClick={disconnect}>{liveMode === 'attach' ? 'Detach' : 'Disconnect'}</Button>
          : mode === 'attach'
          ? <Button key="attach" size="sm" type="submit" variant="primary" disabled={!running || attachBlocked}>{session?.mode === 'attach' ? 'Attach again' : 'Attach'}</Button>
          : <Button key="connect" size="sm" type="submit" variant="primary" disabled={!running || !!invalid}>{session?.mode === 'exec' ? 'Reconnect' : 'Connect'}</Button>}
        <span className="text-xs text-slate-500" aria-live="polite">{status}</span>
        {invalid && <span role="alert" className="w-full text-xs text-rose-600">{invalid}</span>}
        {mode === 'attach' && inspect.error && <span role="alert" className="w-full text-xs text-rose-600">cannot read the container’s settings: {errorMessage(inspect.error)}</span>}
      </form>
      {liveMode === 'attach' && shownPlan?.readOnlyReason && (
        <p id={noteId} className="mx-3 mt-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">{shownPlan.readOnlyReason}</p>
      )}
      {ending && <Notice tone={ending.tone} className="m-3">{ending.text}</Notice>}
      <div className="relative bg-slate-950 p-2">
        <div ref={box} aria-label={`Terminal output of ${name}`} aria-describedby={liveMode === 'attach' && shownPlan?.readOnlyReason ? noteId : undefined} className="h-96 w-full" />
        {!session && (
          <p className="absolute inset-0 p-4 font-mono text-xs text-slate-500">
            {mode === 'attach'
              ? `Attach to see ${name}’s output from now on${plan?.stdin ? ' and type into its main process' : ''}. Detaching leaves it running.`
              : `Connect to open ${command.trim() || 'a shell'} in ${name}.`}
          </p>
        )}
      </div>
    </section>
  );
}
