import { jest } from '@jest/globals';

/**
 * Runs `run` with process.stdout captured: what it wrote (log lines, workflow commands), joined
 * and as the chunks written, and what it returned.
 */
export async function capturingStdout<T>(
  run: () => Promise<T>,
): Promise<{ outcome: T; written: string; chunks: string[] }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const outcome = await run();
    return { outcome, written: chunks.join(''), chunks };
  } finally {
    spy.mockRestore();
  }
}
