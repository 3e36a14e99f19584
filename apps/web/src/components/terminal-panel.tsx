'use client';
import { Button, inputBase, Notice } from '@berth/ui';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { decodeServerFrame, execUrl, resizeMessage, type ExecRequest } from '../lib/exec-frames.ts';
import { splitShellWords } from '../lib/shell-words.ts';

type Phase = 'idle' | 'connecting' | 'open' | 'exited' | 'error' | 'closed';
type Ending = { tone: 'info' | 'error'; text: string };

/**
 * `docker exec -it CONTAINER sh` in the browser: xterm.js over the /api/exec websocket. The
 * terminal follows the panel's size (fit addon, then a resize message), keystrokes go as
 * binary frames, and the session ends with the command's exit code or the server's refusal.
 */
export function TerminalPanel({ host, id, name, visible }: { host: string; id: string; name: string; visible: boolean }) {
  const [command, setCommand] = useState('sh');
  const [session, setSession] = useState<{ n: number; cmd: string[] } | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [ending, setEnding] = useState<Ending | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const socket = useRef<WebSocket | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const termRef = useRef<Terminal | null>(null);
  // ends the current session once: the first of exit, error, close or Disconnect wins
  const endRef = useRef<((p: Phase, e: Ending) => void) | null>(null);
  const words = splitShellWords(command);
  const invalid = 'error' in words ? words.error : words.words.length === 0 ? 'a command is needed, e.g. sh or bash' : null;

  useEffect(() => {
    if (!session) return;
    let disposed = false;
    let ws: WebSocket | null = null;
    let term: Terminal | null = null;
    let observer: ResizeObserver | null = null;
    let frame = 0;
    void (async () => {
      // xterm touches the DOM when it loads: only in the browser, and only once asked for
      const [{ Terminal: XTerm }, { FitAddon: Fit }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !box.current) return;
      const t = new XTerm({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', theme: { background: '#020617' }, scrollback: 5000 });
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
        const request: ExecRequest = { host, id, cmd: session.cmd, tty: { cols: t.cols, rows: t.rows }, interactive: true };
        s.send(JSON.stringify(request));
        setPhase('open');
        t.focus();
      };
      s.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
        const f = decodeServerFrame(ev.data);
        if (f.kind === 'output') t.write(f.bytes);
        else if (f.kind === 'exit') end('exited', { tone: f.code === 0 ? 'info' : 'error', text: `${session.cmd.join(' ')} exited with code ${f.code}` });
        else if (f.kind === 'error') end('error', { tone: 'error', text: f.code ? `${f.message} (${f.code})` : f.message });
      };
      s.onclose = (ev) => {
        socket.current = null;
        if (disposed) return;
        end(opened ? 'closed' : 'error', opened
          ? { tone: 'error', text: `the connection closed${ev.reason ? `: ${ev.reason}` : ''} before the command ended` }
          : { tone: 'error', text: 'the server refused the terminal: sign in again, or open the dashboard from its own address' });
      };
      const encoder = new TextEncoder();
      const send = (bytes: Uint8Array) => {
        if (s.readyState === WebSocket.OPEN && !ended) s.send(bytes);
      };
      t.onData((d) => send(encoder.encode(d)));
      t.onBinary((d) => send(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
      t.onResize(({ cols, rows }) => {
        if (s.readyState === WebSocket.OPEN && !ended) s.send(resizeMessage(cols, rows));
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

  const connect = (e: FormEvent) => {
    e.preventDefault();
    if ('error' in words || invalid) return;
    setEnding(null);
    setPhase('connecting');
    setSession((s) => ({ n: (s?.n ?? 0) + 1, cmd: words.words }));
  };
  const disconnect = () => {
    const s = socket.current;
    endRef.current?.('closed', { tone: 'info', text: 'Disconnected.' });
    if (s && s.readyState === WebSocket.OPEN) s.send(JSON.stringify({ eof: true }));
    s?.close();
    setPhase('closed');
  };
  const live = phase === 'connecting' || phase === 'open';

  return (
    <section aria-label="Terminal" className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <form onSubmit={connect} aria-label={`Terminal of ${name}`} className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
        <h2 className="font-medium">Terminal</h2>
        <label className="flex items-center gap-1.5">
          Command
          <input value={command} onChange={(e) => setCommand(e.target.value)} disabled={live} aria-invalid={!!invalid} spellCheck={false} autoComplete="off" className={`${inputBase} w-48 py-0.5 font-mono text-xs`} />
        </label>
        {/* distinct keys: a button that turned into the submit button while its click is handled would submit the form */}
        {phase === 'connecting'
          ? <Button key="connecting" size="sm" disabled>Connecting…</Button>
          : phase === 'open'
          ? <Button key="disconnect" size="sm" onClick={disconnect}>Disconnect</Button>
          : <Button key="connect" size="sm" type="submit" variant="primary" disabled={!!invalid}>{session ? 'Reconnect' : 'Connect'}</Button>}
        <span className="text-xs text-slate-500" aria-live="polite">
          {phase === 'connecting' ? 'connecting…' : phase === 'open' ? `connected · ${session?.cmd.join(' ')} in ${name}` : phase === 'idle' ? 'runs the command in the container, like docker exec -it' : ''}
        </span>
        {invalid && <span role="alert" className="w-full text-xs text-rose-600">{invalid}</span>}
      </form>
      {ending && <Notice tone={ending.tone} className="m-3">{ending.text}</Notice>}
      <div className="relative bg-slate-950 p-2">
        <div ref={box} aria-label={`Terminal output of ${name}`} className="h-96 w-full" />
        {!session && <p className="absolute inset-0 p-4 font-mono text-xs text-slate-500">Connect to open {command.trim() || 'a shell'} in {name}.</p>}
      </div>
    </section>
  );
}
