import { helpText } from './command-line/help.js';
import { inCommandLineTerms, parseCommandLine } from './command-line/options.js';
import { commandLineInputs, forgetInputsIn, readStdin, runnerFolders } from './command-line/read.js';
import { terminalSurface, type Terminal } from './command-line/terminal.js';
import { publishImage } from './core/publish-image.js';
import { InputError, messageOf } from './errors.js';
import { parseInputs } from './inputs/parse.js';
import { describeInputs } from './inputs/read.js';
import { readSecrets } from './inputs/secrets.js';
import { post } from './post.js';
import { endChildren } from './process/children.js';
import { useSurface } from './report/surface.js';

// The command line: the action's steps with another way of reading the inputs and of showing
// what happens. The inputs come from argv and the environment (command-line/), the log goes
// to stderr and the outputs to stdout (command-line/terminal.ts); the core is the action's.

export enum ExitCode {
  Done = 0,
  Failed = 1,
  BadInput = 2,
}

export async function run(argv: readonly string[]): Promise<ExitCode> {
  const line = parseCommandLine(argv, process.env);
  if (line.help) {
    process.stdout.write(helpText());
    return ExitCode.Done;
  }
  const terminal = terminalSurface({
    verbose: line.verbose,
    log: (text) => process.stderr.write(`${text}\n`),
  });
  useSurface(terminal);
  const print = outputsOnlyOnStdout(terminal);
  const cleanUp = once(async () => {
    await endChildren();
    await post();
  });
  const stopListening = endRunWhenSignalled(cleanUp);
  try {
    // Every input is read once, here; the secrets among them are masked before anything else.
    const raw = await commandLineInputs(line, process.env, () => readStdin());
    forgetInputsIn(process.env);
    const secrets = readSecrets(raw);
    terminal.debug(describeInputs(raw));
    runnerFolders(process.env);
    await publishImage(parseInputs(raw), secrets);
    return ExitCode.Done;
  } catch (error) {
    // The terminal scrubs every secret it was given and guards every line it writes.
    terminal.error(inCommandLineTerms(messageOf(error)));
    return error instanceof InputError ? ExitCode.BadInput : ExitCode.Failed;
  } finally {
    // No post step follows: the run's folder (the auth file with the key) goes now.
    await cleanUp();
    stopListening();
    print(terminal.printedOutputs(line.json));
  }
}

/**
 * stdout holds the outputs and nothing else: a library that writes there (the tool cache's
 * debug lines) writes to the log's debug lines instead. Returns how to print the outputs.
 */
function outputsOnlyOnStdout(terminal: Terminal): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    terminal.debug(String(chunk).trimEnd());
    return true;
  }) as typeof process.stdout.write;
  return (text) => {
    process.stdout.write = write;
    if (text) write(text);
  };
}

/**
 * An interrupted run ends what it started and removes its folder, then dies of the same signal
 * (a shell shows 130 or 143). Returns how to stop listening once the run has ended.
 */
function endRunWhenSignalled(cleanUp: () => Promise<void>): () => void {
  const handlers = (['SIGTERM', 'SIGINT'] as const).map((signal) => {
    const handler = (): void => void cleanUp().finally(() => process.kill(process.pid, signal));
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => handlers.forEach((stop) => stop());
}

function once(work: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => (started ??= work());
}
