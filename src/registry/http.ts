// The parts of undici the registry client uses, imported one by one: the package's index loads
// fetch, WebSocket, caches and mocks too, which costs the action about 150 ms at every start.
import type { Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestWith from 'undici/lib/api/api-request.js';
import redirect from 'undici/lib/interceptor/redirect.js';

export type { Dispatcher };
export const Agent = AgentClass;
export const redirectInterceptor = redirect;

/** One request through `dispatcher` (undici's `request`, without its index). */
export function request(
  dispatcher: Dispatcher,
  url: string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  return requestWith.call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
}
