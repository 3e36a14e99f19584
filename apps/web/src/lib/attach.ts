/**
 * What an attach from the browser's terminal can do with a container, from its inspect
 * document (Docker's Config.Tty and Config.OpenStdin): type into it when it was created with
 * -it, else only watch its output.
 */
export interface AttachPlan {
  /** keystrokes go to the main process's stdin */
  stdin: boolean;
  /** the container has a terminal: its output is a terminal's, and resizes follow the panel */
  tty: boolean;
  /** why the keyboard is not connected, when it is not */
  readOnlyReason: string | null;
}

interface InspectConfig { Config?: { Tty?: unknown; OpenStdin?: unknown } }

export function attachPlan(inspect: unknown, name: string): AttachPlan {
  const config = (inspect as InspectConfig | null)?.Config;
  const tty = config?.Tty === true;
  const openStdin = config?.OpenStdin === true;
  if (tty && openStdin) return { stdin: true, tty: true, readOnlyReason: null };
  if (!openStdin) {
    return { stdin: false, tty, readOnlyReason: `Input is not connected: ${name} was not created with -i (Interactive), so its main process reads nothing from the keyboard. Its output is shown as it comes.` };
  }
  // -i without -t: a shell there reads lines, not a terminal's keystrokes
  return { stdin: false, tty: false, readOnlyReason: `Input is not connected: ${name} was created with -i but without -t (Terminal), and this terminal types only into containers created with both. Its output is shown as it comes.` };
}
