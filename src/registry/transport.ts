import { RegistryError } from '../errors.js';
import { defaultRetryPolicy, parseRetryAfter, withRetries, type RetryPolicy } from '../process/retry.js';
import {
  classifyStatus,
  describeNetworkError,
  describeSize,
  describeTlsFailure,
  MiB,
  isTlsOrProtocolError,
  registryMessage,
} from './classify.js';
import { Agent, redirectInterceptor, request, type Dispatcher } from './http.js';

// HTTP to the registry: one deadline per attempt, bounded bodies, retries of what is transient.

/** The largest answer read: registries cap manifests at 4 MiB (zot and distribution), configs are smaller. */
export const DOCUMENT_LIMIT = 4 * MiB;
/** zot's key list: a few hundred bytes a key. */
export const KEY_LIST_LIMIT = 1 * MiB;
/** An error's body is read only for its message. */
const ERROR_BODY_LIMIT = 64 * 1024;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Ask {
  /** What the request is for, in a user's words: `look up the tag team/app:v1`. */
  what: string;
  /** The statuses handed back; any other fails (retried first when 429 or 5xx). */
  expect: number[];
  accept?: string;
  authorization?: string;
  /** Fewer attempts than the transport's policy allows (1: no retry). */
  attempts?: number;
  /** The most bytes read of an expected answer. */
  limit?: number;
  /** What a write sends (a blob, a manifest), with its media type. */
  body?: Buffer;
  contentType?: string;
}

/** The methods the action uses: reads, and the writes of its own objects (blobs, manifests). */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT';

export interface TransportOptions {
  host: string;
  insecure: boolean;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** For tests: the dispatcher every request goes through. */
  dispatcher?: Dispatcher;
  log?: (message: string) => void;
}

/** An answer longer than the limit for its kind: not retried, the registry would send it again. */
class TooLarge extends Error {}

/** What the caller is told of an answer larger than its kind may be. */
export class AnswerTooLarge extends RegistryError {}

export class Transport {
  readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly log: (message: string) => void;
  private readonly agents: Dispatcher[] = [];

  constructor(private readonly options: TransportOptions) {
    this.retry = options.retry ?? defaultRetryPolicy;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * The dispatchers for a scheme: `redirected` follows up to three redirects (blob reads may be
   * sent to storage; undici drops the credentials on a new origin), `direct` follows none.
   */
  dispatchersFor(scheme: string): { redirected: Dispatcher; direct: Dispatcher } {
    let base = this.options.dispatcher;
    if (!base) {
      const timeout = this.timeoutMs;
      const rejectUnauthorized = !(this.options.insecure && scheme === 'https');
      base = new Agent({
        connect: { timeout, rejectUnauthorized },
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      this.agents.push(base);
    }
    return { redirected: base.compose(redirectInterceptor({ maxRedirections: 3 })), direct: base };
  }

  /** One request, retried while the failure is transient (network, 429, 5xx). */
  send(dispatcher: Dispatcher, method: Method, url: string, ask: Ask): Promise<Answer> {
    const headers: Record<string, string> = { 'user-agent': 'build-push-image' };
    if (ask.accept) headers.accept = ask.accept;
    if (ask.authorization) headers.authorization = ask.authorization;
    if (ask.contentType) headers['content-type'] = ask.contentType;
    const limit = ask.limit ?? DOCUMENT_LIMIT;
    return withRetries<Answer>(
      { ...this.retry, attempts: ask.attempts ?? this.retry.attempts },
      async () => {
        let answer: Answer;
        // One deadline for the whole answer (connect, headers and body): undici's own timeouts
        // measure silence, which a registry sending a byte a second never breaks.
        const deadline = AbortSignal.timeout(this.timeoutMs);
        try {
          const response = await request(dispatcher, url, {
            method,
            headers,
            body: ask.body,
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
            signal: deadline,
          });
          const expected = ask.expect.includes(response.statusCode);
          const body = await readAtMost(response.body, expected ? limit : ERROR_BODY_LIMIT, !expected);
          answer = { status: response.statusCode, headers: response.headers, body };
        } catch (error) {
          if (error instanceof TooLarge)
            throw new AnswerTooLarge(
              `Could not ${ask.what}: the registry's answer is larger than ${describeSize(limit)}, the most a registry sends for it. Nothing was pushed.`,
            );
          if (deadline.aborted)
            return { done: false, reason: `no complete answer within ${this.timeoutMs / 1000}s` };
          if (isTlsOrProtocolError(error))
            throw new RegistryError(describeTlsFailure(this.options.host, error), { cause: error });
          return { done: false, reason: describeNetworkError(error, this.timeoutMs) };
        }
        switch (classifyStatus(answer.status, ask.expect)) {
          case 'expected':
            return { done: true, value: answer };
          case 'transient':
            return {
              done: false,
              reason: `HTTP ${answer.status}${registryMessage(answer.body)}`,
              retryAfterMs: parseRetryAfter(header(answer, 'retry-after')),
            };
          case 'fatal':
            throw new RegistryError(
              `Could not ${ask.what}: the registry answered HTTP ${answer.status}${registryMessage(answer.body)}.`,
            );
        }
      },
      (reason, attempts) =>
        new RegistryError(
          `Could not ${ask.what}: ${reason} after ${attempts} attempts. Nothing was pushed; run the job again when the registry answers.`,
        ),
      (reason, waitMs) => this.log(`Registry: ${reason}; retrying in ${Math.round(waitMs / 100) / 10}s`),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.close().catch(() => undefined)));
  }
}

/**
 * Reads a body up to `limit` bytes. Past it, the rest is dropped: an error body is kept cut
 * (only its message matters), any other answer fails with TooLarge.
 */
async function readAtMost(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number,
  cut: boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (!cut) throw new TooLarge();
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RegistryError(`The registry sent ${what} as something other than JSON.`, { cause: error });
  }
}
