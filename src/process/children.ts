import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The child processes this run starts (docker, skopeo), so that a cancelled step ends them and
// the post step makes sure none is left. Each child runs behind `sh`, which writes its process
// ID and its start time (field 22 of /proc/<pid>/stat, which exec keeps) to a file of its own in
// this run's folder and then becomes the command; the file is removed when the child ends. A
// process is signalled only while its ID, command and start time are all still the recorded
// ones: a recycled ID is never signalled. `timeout`, the usual command, leads a process group of its own
// (the tool and anything it starts), so ending a child means ending that group.
// Loaded by the post step too: node built-ins only.

/** By its full path: the job's PATH may lack it (a runner without coreutils still has it). */
const SHELL = '/bin/sh';

/**
 * Writes `<pid> <start time>` to the file named by $0, then becomes the command. The start time
 * is read with shell built-ins only (a function has its own positional parameters, so "$@" is
 * kept): the fields after the command's name, which may hold spaces, end with `) `.
 */
const RECORD_AND_EXEC =
  'started() { read -r s < /proc/$$/stat || return; s=${s##*) }; set -- $s; shift 19; echo "$1"; }; ' +
  'echo "$$ $(started 2>/dev/null)" > "$0" && exec "$@"';

let ledger: string | undefined;
let started = 0;

/** From now on, every child started through `launch` is recorded in `directory`. */
export function recordChildrenIn(directory: string): void {
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  ledger = directory;
}

/**
 * Where children are recorded: the run's folder once main has made it; before that (or in a
 * test), a private folder of this process, removed when it exits.
 */
function currentLedger(): string {
  if (!ledger) {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'build-push-image-children-'));
    process.once('exit', () => fs.rmSync(own, { recursive: true, force: true }));
    ledger = own;
  }
  return ledger;
}

export interface Launch {
  command: string;
  args: string[];
  /** Call once the child has ended: its record goes. */
  ended: () => void;
  /** Ends the child now (TERM to its process group, KILL after `graceMs`), if it still runs. */
  stop: (graceMs: number) => Promise<void>;
}

/** The command line that starts `command` recorded, and how to end it or forget it. */
export function launch(command: string, args: string[]): Launch {
  if (!fs.existsSync(SHELL)) return { command, args, ended: () => undefined, stop: async () => undefined };
  const file = path.join(currentLedger(), `${started++}.${path.basename(command)}`);
  return {
    command: SHELL,
    args: ['-c', RECORD_AND_EXEC, file, command, ...args],
    ended: () => fs.rmSync(file, { force: true }),
    stop: async (graceMs) => {
      const pid = recordedPid(file, path.basename(command));
      if (pid) await end([pid], graceMs);
    },
  };
}

/**
 * Ends every recorded child still running (TERM to its process group, KILL after `graceMs`)
 * and returns how many there were. A process ID is only signalled while it still runs the
 * command it was recorded for, so a reused ID is left alone.
 */
export async function endChildren(directory = ledger, graceMs = 1000): Promise<number> {
  if (!directory || !fs.existsSync(directory)) return 0;
  const running: number[] = [];
  for (const entry of fs.readdirSync(directory)) {
    const pid = recordedPid(path.join(directory, entry), entry.slice(entry.indexOf('.') + 1));
    if (pid) running.push(pid);
  }
  await end(running, graceMs);
  return running.length;
}

/** The process ID recorded in `file`, while that process still runs `command` and started when recorded. */
function recordedPid(file: string, command: string): number | undefined {
  let fields: string[];
  try {
    fields = fs.readFileSync(file, 'utf8').trim().split(' ');
  } catch {
    return undefined;
  }
  const pid = Number(fields[0]);
  const started = fields[1];
  if (!Number.isInteger(pid) || pid <= 1 || !started) return undefined;
  return runs(pid, command) && startTime(pid) === started ? pid : undefined;
}

/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
export function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command's name (field 2) is in parentheses and may hold spaces: count after its end.
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function end(running: number[], graceMs: number): Promise<void> {
  for (const pid of running) signal(pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs && running.some((pid) => isRunning(pid)); waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of running) if (isRunning(pid)) signal(pid, 'SIGKILL');
}

/** TERM or KILL to the child's process group (it leads one when it is `timeout`), else to it alone. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** The process exists and has not ended (a zombie has ended). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** The process runs `command` (the recorded wrapper has become it). */
function runs(pid: number, command: string): boolean {
  try {
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return path.basename(argv0) === command;
  } catch {
    return false;
  }
}
