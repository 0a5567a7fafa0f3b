import { createServer, request, type Server } from 'node:http';

/**
 * A pass-through HTTP proxy on 127.0.0.1:0 in front of the emulator that writes down every access token the
 * emulator issues (the `access_token` of each `/oauth/token` answer) and every Authorization header sent. It sees
 * in-process and spawned CLI runs alike, without touching flowlink's code: the secrets test then knows every
 * secret value that was on the wire and can look for each one in everything flowlink wrote.
 */
export interface TokenProxy {
  url: string;
  tokens: Set<string>;
  authorizationHeaders: Set<string>;
  /**
   * While set, a request it matches is not forwarded: the proxy answers it with this status and body, built from
   * the request's own Authorization header (a gateway that echoes the credentials it was sent).
   */
  echo: { method: string; path: string; status: number; body: (authorization: string) => unknown } | undefined;
  close(): Promise<void>;
}

export async function startTokenProxy(target: string): Promise<TokenProxy> {
  const upstream = new URL(target);
  const tokens = new Set<string>();
  const authorizationHeaders = new Set<string>();
  const proxy = { echo: undefined as TokenProxy['echo'] };
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization) authorizationHeaders.add(req.headers.authorization);
    const echo = proxy.echo;
    if (echo && req.method === echo.method && (req.url ?? '').split('?')[0] === echo.path) {
      req.resume();
      res.writeHead(echo.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(echo.body(req.headers.authorization ?? '')));
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const isToken = (req.url ?? '').startsWith('/oauth/token');
        if (!isToken) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          try {
            const token = (JSON.parse(body.toString('utf8')) as { access_token?: unknown }).access_token;
            if (typeof token === 'string') tokens.add(token);
          } catch {
            // Not JSON (an error page): no token in it.
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    authorizationHeaders,
    get echo() {
      return proxy.echo;
    },
    set echo(value) {
      proxy.echo = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
