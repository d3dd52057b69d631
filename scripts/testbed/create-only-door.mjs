// A door in front of the zot-like registry that applies zot's create-without-update policy
// atomically: a manifest PUT to a tag that already exists is refused with 403 DENIED, as zot
// refuses an identity that has `create` but not `update`. Everything else passes through.
// Tag writes are serialised per repository and tag, so two racing writers cannot both pass
// the existence check. A tag named `denied-…` is refused even when it does not exist, as a
// zot policy condition (CEL) would, with its reason, so tests can meet a 403 on demand.
// Usage: node create-only-door.mjs LISTEN_PORT UPSTREAM_PORT
import * as http from 'node:http';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const upstream = { host: '127.0.0.1', port: upstreamPort };
const agent = new http.Agent({ keepAlive: true });
/** @type {Map<string, Promise<void>>} */
const locks = new Map();

/** @param {string} key @param {() => Promise<void>} work */
function serialised(key, work) {
  const previous = locks.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  locks.set(key, settled);
  settled.then(() => {
    if (locks.get(key) === settled) locks.delete(key);
  });
  return next;
}

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {Buffer} [body] */
function forward(req, res, body) {
  return new Promise((resolve) => {
    const proxied = http.request(
      { ...upstream, agent, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', resolve);
      },
    );
    proxied.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`door: ${error.message}`);
      resolve(undefined);
    });
    if (body) proxied.end(body);
    else req.pipe(proxied);
  });
}

/** @param {http.IncomingMessage} req */
function tagExists(req) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    delete headers['content-length'];
    delete headers['content-type'];
    delete headers['transfer-encoding'];
    // Every manifest kind: docker-registry answers 404 for an OCI manifest to a client that does
    // not accept OCI, which would let an OCI tag be overwritten.
    headers.accept = [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ].join(', ');
    const check = http.request({ ...upstream, agent, method: 'HEAD', path: req.url, headers }, (answer) => {
      answer.resume();
      resolve(answer.statusCode);
    });
    check.on('error', reject);
    check.end();
  });
}

/** @param {http.IncomingMessage} req */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TAG_WRITE = /^\/v2\/(.+)\/manifests\/([^/@:?]+)(\?.*)?$/;

const server = http.createServer(async (req, res) => {
  const match = req.method === 'PUT' ? TAG_WRITE.exec(req.url ?? '') : null;
  if (!match) {
    await forward(req, res);
    return;
  }
  const body = await readBody(req);
  await serialised(`${match[1]}:${match[2]}`, async () => {
    const status = await tagExists(req).catch(() => 502);
    if (status === 200 || (status === 404 && match[2].startsWith('denied-'))) {
      // zot's refusal to the byte (AuthzFailWithReason): 403, a Basic challenge even on a 403,
      // DENIED with the standard message, and detail.reason only when a policy condition wrote one.
      const error = {
        code: 'DENIED',
        message: 'requested access to the resource is denied',
        ...(status === 200 ? {} : { detail: { reason: 'stable tag is immutable' } }),
      };
      res.writeHead(403, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="zot"' });
      res.end(JSON.stringify({ errors: [error] }));
      return;
    }
    if (status !== 404) {
      res.writeHead(status === 401 ? 401 : 502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `tag check answered ${status}` }] }));
      return;
    }
    await forward(req, res, body);
  });
});
server.listen(listenPort, '127.0.0.1', () => console.log(`create-only door on 127.0.0.1:${listenPort}`));
