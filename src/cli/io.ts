import pc from 'picocolors';
import { redact } from '../shared/redact.js';

/** What a command needs from the outside world; `main()` builds it from the process, tests build their own. */
export interface CliHost {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Results go to stdout, everything else to stderr, every line through `redact`. Colour and progress only on an
 * interactive terminal outside CI and without NO_COLOR (the conventions admins know from other CLIs).
 */
export class CliIO {
  readonly color: Colors;
  readonly interactive: boolean;
  json = false;

  constructor(readonly host: CliHost) {
    const env = host.env;
    const ci = Boolean(env.CI) && env.CI !== 'false';
    this.interactive = Boolean(host.stderr.isTTY) && !ci;
    const colorOk = this.interactive && !('NO_COLOR' in env && env.NO_COLOR !== undefined) && env.TERM !== 'dumb';
    this.color = pc.createColors(colorOk);
  }

  get env(): Record<string, string | undefined> {
    return this.host.env;
  }

  /** One result line on stdout. */
  out(line = ''): void {
    this.host.stdout.write(redact(line) + '\n');
  }

  /** A JSON result document on stdout (for `--json`). */
  outJson(value: unknown): void {
    this.host.stdout.write(redact(JSON.stringify(value, null, 2)) + '\n');
  }

  /** A diagnostic line on stderr (progress, notes, warnings, errors). */
  err(line = ''): void {
    this.host.stderr.write(redact(line) + '\n');
  }

  /** An informational note on stderr, suppressed in `--json` mode so scripts read a clean stream. */
  note(line: string): void {
    if (!this.json) this.err(line);
  }
}
