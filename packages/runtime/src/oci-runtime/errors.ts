/** An OCI runtime command failed. Carries who failed on what, and the runtime's own words. */
export class OciRuntimeError extends Error {
  override readonly name = 'OciRuntimeError';
  constructor(
    message: string,
    readonly details: {
      /** runc, crun */
      runtime: string;
      /** The subcommand: create, start, kill... */
      command: string;
      containerId: string | null;
      exitCode: number | null;
      /** The last error the runtime logged, or its stderr. */
      runtimeMessage: string;
      /** The container does not exist in this runtime root. */
      notFound: boolean;
    },
  ) {
    super(message);
  }
}

/** None of the candidate runtimes could run a probe container on this host. */
export class NoWorkingRuntimeError extends Error {
  override readonly name = 'NoWorkingRuntimeError';
  constructor(
    message: string,
    readonly probes: readonly { name: string; ok: boolean; reason: string | null }[],
  ) {
    super(message);
  }
}
