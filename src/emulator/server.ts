import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { Emulator } from './context.js';
import { Faults } from './core/faults.js';
import { RateLimiter } from './core/rate-limit.js';
import { RequestLog } from './core/request-log.js';
import { resolveOptions, type EmulatorHandle, type EmulatorOptions } from './options.js';
import { Persistence } from './state/persistence.js';
import { fixtureEvents, resolveSeed } from './state/seed.js';
import { Store } from './state/store.js';

/**
 * Starts the Genesys Cloud Platform API emulator on a loopback port. With `dataDir`, state already there is
 * restored (the seed applies only to an empty directory) and every acknowledged write is on disk before the
 * response; `close()` writes a snapshot.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options);
  const persistence = resolved.dataDir !== undefined ? new Persistence(resolved.dataDir) : undefined;
  const store = new Store(persistence);
  if (!store.load()) store.replace(fixtureEvents(resolveSeed(resolved.seed), resolved.now(), true));

  let url = '';
  const emu: Emulator = {
    store,
    options: resolved,
    faults: new Faults(resolved.faultSeed),
    limiter: new RateLimiter(resolved.rateLimit, resolved.rateWindowMs),
    requestLog: new RequestLog(),
    client: { kind: 'client', id: resolved.clientId, name: resolved.clientId },
    baseUrl: () => url,
  };
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 60_000 }, createApp(emu));
  await listen(server, resolved.port, resolved.host);
  const port = (server.address() as AddressInfo).port;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => {
          try {
            store.close();
          } catch (persistError) {
            reject(persistError as Error);
            return;
          }
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
