import { randomBytes } from 'node:crypto';
import pc from 'picocolors';
import { redact } from '../shared/redact.js';
import { forTerminal, jsonForTerminal, splitMarked, terminalLine } from '../shared/terminal-text.js';

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
 * Colour sequences are written with this mark instead of ESC until the line is printed (`terminalLine` turns them
 * back into ESC): a random string per process, so that no flow name or server text can carry one.
 */
const COLOUR_MARK = `\ue000${randomBytes(6).toString('hex')}`;

/**
 * picocolors' functions, each escaping its text with `forTerminal` before colouring it (colours already in it are
 * kept), and writing its colour sequences with COLOUR_MARK: what is coloured is always made safe first, and the
 * only colour sequences that reach the terminal are flowlink's own.
 */
function safeColors(enabled: boolean): Colors {
  const colors = pc.createColors(enabled);
  const safe = { ...colors } as Record<string, unknown>;
  const keep = (sgr: string): string => `\x1b${sgr}`;
  for (const [name, value] of Object.entries(colors)) {
    if (typeof value !== 'function') continue;
    safe[name] = (text: unknown) => {
      const coloured = (value as (t: string) => string)(splitMarked(String(text), COLOUR_MARK, forTerminal, keep));
      return coloured.split('\x1b[').join(`${COLOUR_MARK}[`);
    };
  }
  return safe as unknown as Colors;
}

/**
 * Results go to stdout, everything else to stderr, every line through `redact` and then made safe for a terminal
 * (`terminalLine`: controls, escape sequences, newlines and bidi controls shown visibly; one call is one line).
 * Colour and progress only on an interactive terminal outside CI and without NO_COLOR (the conventions admins
 * know from other CLIs).
 */
export class CliIO {
  readonly color: Colors;
  readonly interactive: boolean;
  private readonly colorOn: boolean;
  json = false;

  /** Colour per stream: results are coloured only when stdout is a terminal, diagnostics only when stderr is. */
  private readonly outColour: boolean;

  constructor(readonly host: CliHost) {
    const env = host.env;
    const ci = Boolean(env.CI) && env.CI !== 'false';
    const colourAllowed = !ci && !('NO_COLOR' in env && env.NO_COLOR !== undefined) && env.TERM !== 'dumb';
    this.interactive = Boolean(host.stderr.isTTY) && !ci;
    this.colorOn = this.interactive && colourAllowed;
    this.outColour = Boolean(host.stdout.isTTY) && colourAllowed;
    // Colours are written as marks; each stream turns them into ESC sequences or drops them (`flowlink list | grep`
    // at a terminal gets no escape codes in the pipe, while the terminal's stderr keeps its colours).
    this.color = safeColors(this.colorOn || this.outColour);
  }

  get env(): Record<string, string | undefined> {
    return this.host.env;
  }

  /** One result line on stdout. */
  out(line = ''): void {
    this.host.stdout.write(streamLine(redact(line), this.outColour) + '\n');
  }

  /** A JSON result document on stdout (for `--json`): real values, JSON-escaped, also C1 and bidi controls. */
  outJson(value: unknown): void {
    this.host.stdout.write(jsonForTerminal(redact(JSON.stringify(value, null, 2))) + '\n');
  }

  /** A diagnostic line on stderr (progress, notes, warnings, errors). */
  err(line = ''): void {
    this.host.stderr.write(streamLine(redact(line), this.colorOn) + '\n');
  }

  /** An informational note on stderr, suppressed in `--json` mode so scripts read a clean stream. */
  note(line: string): void {
    if (!this.json) this.err(line);
  }
}

/** A line for one stream: flowlink's colour marks become ESC sequences where that stream has colour, else go. */
function streamLine(line: string, colour: boolean): string {
  return colour ? terminalLine(line, COLOUR_MARK) : splitMarked(line, COLOUR_MARK, forTerminal, () => '');
}
