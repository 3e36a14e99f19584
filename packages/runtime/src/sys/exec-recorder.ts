import type { Exec, ExecOptions, ExecResult } from './exec.ts';

export interface RecordedCall {
  argv: string[];
  opts: ExecOptions;
}

/** Decides what a scripted command returns; undefined means "command not scripted". */
export type ExecResponder = (argv: readonly string[], opts: ExecOptions) => Partial<ExecResult> | undefined | Promise<Partial<ExecResult> | undefined>;

export interface RecordingExec extends Exec {
  readonly calls: RecordedCall[];
  /** The argv of every call, handy for `expect(exec.argvs()).toEqual([...])`. */
  argvs(): string[][];
}

/**
 * Test double for Exec: records every argv and answers from a responder. An unscripted
 * command exits 127 with "command not found", like a shell would.
 */
export function recordingExec(responder: ExecResponder = () => undefined): RecordingExec {
  const calls: RecordedCall[] = [];
  return {
    calls,
    argvs: () => calls.map((c) => c.argv),
    async run(argv, opts = {}) {
      calls.push({ argv: [...argv], opts });
      const answer = await responder(argv, opts);
      if (!answer) return { code: 127, stdout: '', stderr: `${argv[0] ?? ''}: command not found\n` };
      return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
    },
  };
}
