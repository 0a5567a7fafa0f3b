import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { registerSecret } from '../../shared/redact.js';
import { startEmulator } from '../../emulator/index.js';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EXPORT_MODES, type ExportMode } from '../../emulator/options.js';

interface EmulatorFlags {
  host: string;
  port: string;
  data?: string;
  seed: string;
  clientId: string;
  clientSecret?: string;
  rateLimit: string;
  latency: string;
  jobMs: string;
  tokenTtl: string;
  dependencyLag: string;
  readLag: string;
  export: string;
}

function integer(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value.trim())) throw new CliError(`--${flag} must be a whole number (got '${value}')`, EXIT.USAGE);
  const n = Number(value);
  if (n < min || n > max) throw new CliError(`--${flag} must be from ${min} to ${max} (got ${n})`, EXIT.USAGE);
  return n;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('emulator')
    .description('serve a local Genesys Cloud Platform API emulator until interrupted (prints its base URL first)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option('--data <dir>', 'keep state in this directory (survives restarts)')
    .option('--seed <seed>', 'demo | empty | FILE (a JSON seed fixture); ignored when --data already holds state', 'empty')
    .option('--client-id <id>', 'OAuth client id the emulator accepts', DEFAULT_CLIENT_ID)
    .option('--client-secret <secret>', 'OAuth client secret the emulator accepts (default: the documented demo secret)')
    .option('--rate-limit <n>', 'requests per minute per token', '300')
    .option('--latency <ms>', 'latency added to every API response', '0')
    .option('--job-ms <ms>', 'duration of import/export jobs and Operations', '200')
    .option('--token-ttl <s>', 'token lifetime in seconds', '86400')
    .option('--dependency-lag <ms>', 'delay before dependency tracking reflects a publish', '0')
    .option('--read-lag <ms>', 'delay before GET /flows, /flows/lookup and /flows/{id} show a new published version', '0')
    .option('--export <mode>', 'regenerate (new YAML on every export, as Genesys Cloud does) | verbatim (the stored text byte for byte)', 'regenerate')
    .action(async (flags: EmulatorFlags) => {
      const secret = flags.clientSecret ?? DEFAULT_CLIENT_SECRET;
      const exportMode = flags.export.trim().toLowerCase();
      if (!(EXPORT_MODES as readonly string[]).includes(exportMode)) {
        throw new CliError(`--export must be ${EXPORT_MODES.join(' or ')} (got '${flags.export}')`, EXIT.USAGE);
      }
      if (flags.clientSecret) registerSecret(flags.clientSecret);
      const options = {
        host: flags.host,
        port: integer('port', flags.port, 0, 65535),
        seed: flags.seed,
        clientId: flags.clientId,
        clientSecret: secret,
        rateLimit: integer('rate-limit', flags.rateLimit, 1),
        latencyMs: integer('latency', flags.latency, 0, 600_000),
        jobMs: integer('job-ms', flags.jobMs, 0, 3_600_000),
        tokenTtlSec: integer('token-ttl', flags.tokenTtl, 1),
        dependencyLagMs: integer('dependency-lag', flags.dependencyLag, 0),
        readLagMs: integer('read-lag', flags.readLag, 0),
        exportMode: exportMode as ExportMode,
        ...(flags.data !== undefined ? { dataDir: flags.data } : {}),
      };
      if (!flags.clientId.trim()) throw new CliError('--client-id must not be empty', EXIT.USAGE);
      if (!secret.trim()) throw new CliError('--client-secret must not be empty', EXIT.USAGE);
      let handle;
      try {
        handle = await startEmulator(options);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`cannot start the emulator: ${message}`, EXIT.USAGE);
      }
      ctx.io.out(handle.url);
      ctx.io.note(`flowlink emulator: serving ${handle.url} (client id ${options.clientId}); Ctrl-C to stop`);
      if (!ctx.signal.aborted) {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      }
      await handle.close();
      ctx.io.note('flowlink emulator: stopped' + (flags.data ? `, state saved in ${flags.data}` : ''));
    });
}
