// A registry front that injects faults the real registry cannot be made to show: it passes
// requests through to the test bed's zot-like registry unless `fault` says otherwise, and
// records every request it saw. Optionally speaks TLS with a self-signed certificate.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { selfSignedCertificate } from '../helpers/tls.js';

export type FaultAnswer =
  | 'pass'
  | 'hang'
  | { status: number; headers?: Record<string, string>; body?: string }
  /** 200 and a body that never ends: a byte a second (`trickle`) or as fast as it goes (`flood`). */
  | { stream: 'trickle' | 'flood' }
  /** The registry's own answer, with these headers put in (or over its own). */
  | { passWith: Record<string, string> };

/** Decides the fate of a request; `seen` counts earlier requests with the same method and path. */
export type Fault = (request: { method: string; path: string; seen: number }) => FaultAnswer;

export interface FaultRegistry {
  address: string;
  /** `METHOD path status` for each request answered, `METHOD path hang` for each left hanging. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFaultRegistry(
  upstream: string,
  fault: Fault,
  options: { tls?: boolean } = {},
): Promise<FaultRegistry> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const requests: string[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const handler: http.RequestListener = (req, res) => {
    const method = req.method ?? 'GET';
    const urlPath = (req.url ?? '/').split('?')[0];
    const key = `${method} ${urlPath}`;
    const seen = counts.get(key) ?? 0;
    counts.set(key, seen + 1);
    const answer = fault({ method, path: urlPath, seen });
    if (answer === 'hang') {
      requests.push(`${key} hang`);
      req.resume();
      return;
    }
    if (answer !== 'pass' && 'stream' in answer) {
      requests.push(`${key} ${answer.stream}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const chunk = Buffer.alloc(answer.stream === 'trickle' ? 1 : 64 * 1024, 0x20);
      const send = (): void => {
        if (res.destroyed) return;
        if (answer.stream === 'trickle') {
          res.write(chunk);
          setTimeout(send, 1000).unref();
        } else if (res.write(chunk)) setImmediate(send);
        else res.once('drain', send);
      };
      send();
      return;
    }
    if (answer !== 'pass' && 'status' in answer) {
      requests.push(`${key} ${answer.status}`);
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
      return;
    }
    const proxied = http.request(
      { host: upstreamHost, port: Number(upstreamPort), agent, method, path: req.url, headers: req.headers },
      (upstreamAnswer) => {
        requests.push(`${key} ${upstreamAnswer.statusCode}`);
        const headers = { ...upstreamAnswer.headers, ...(answer !== 'pass' ? answer.passWith : {}) };
        // The registry behind speaks http and says so in upload locations; this front is https.
        if (options.tls && headers.location) headers.location = headers.location.replace(/^http:/, 'https:');
        res.writeHead(upstreamAnswer.statusCode ?? 502, headers);
        upstreamAnswer.pipe(res);
      },
    );
    proxied.on('error', () => res.destroy());
    req.pipe(proxied);
  };

  const server = options.tls
    ? https.createServer(selfSignedCertificate(), handler)
    : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
