import { existsSync, readFileSync } from 'node:fs';
import { PlanError } from './errors.js';
import { fileHead, fileLines, fileTail } from './file-lines.js';
import { isGenesysId } from './genesys-id.js';
import { isTarget } from './states.js';
import { isChange, PlanHasher, runIdForPlan, sha256, type PlanFile, type PlanFlow, type PlanHeader } from './plan-format.js';

/**
 * Reading a plan file one flow at a time. The writer (plan-write.ts) puts the header first, then one flow a line,
 * then the checksum; a file in that layout is read line by line and never held whole. A file in any other layout
 * with the same content (reformatted by hand, CRLF line ends) has the same canonical checksum and is as valid: it
 * is parsed whole.
 */

export type PlanLayout = 'lines' | 'whole';

/** A plan's header and the checksum it declares, and where its flows are read from. */
export interface PlanHead {
  header: PlanHeader;
  /** As declared: it is proven once every flow has been read through planFlows. */
  checksum: string;
  runId: string;
  source: { path: string; layout: PlanLayout } | { plan: PlanFile };
}

/** The flow lines of the file are not one whole flow each (cut short, garbled, or laid out otherwise). */
class NotOneFlowALine extends PlanError {}

const FLOWS_LINE = '  "flows": [';
const FLOWS_END = '  ],';
const TAIL = /\n {2}\],\n {2}"checksum": ("(?:[^"\\\n]|\\.)*")\n\}\n?$/;
const VERSION = /^[0-9]+(?:\.[0-9]+)*$/;
/** A header longer than this is no header flowlink wrote: the file is parsed whole instead. */
const MAX_HEADER_LINES = 10_000;

/**
 * The header and declared checksum without reading the flows (the head and the tail of the file), e.g. for the
 * run id. Checks what the header alone can show; nothing about the flows (planFlows does that).
 */
export function readPlanHead(path: string, layout?: PlanLayout): PlanHead {
  if (!existsSync(path)) throw new PlanError(`plan file not found: ${path}`);
  const lined = layout === 'whole' ? undefined : headOfLines(path);
  if (lined) return headOf(checkHeader(lined, path, true), { path, layout: 'lines' });
  // Any other layout: parsed whole (the flows are parsed again when they are read).
  const whole = parseWhole(path);
  return headOf(checkHeader(whole, path, Array.isArray((whole as { flows?: unknown } | null)?.flows)), { path, layout: 'whole' });
}

/** The same for a plan in memory (applyPlan of a library caller's plan), every flow checked as in a file. */
export function planHeadOf(plan: PlanFile): PlanHead {
  const head = headOf(checkHeader(plan, undefined, Array.isArray((plan as { flows?: unknown }).flows)), { plan });
  for (const _flow of planFlows(head)) {
    // each flow checked, and the checksum once the last is through
  }
  return head;
}

/**
 * The plan's flows, each checked (a Genesys id, a version id, a target's original matching its sha256) and fed to
 * the checksum as it is read. A bad entry ends the flows; the rest is still hashed, so that a plan edited by hand
 * is reported as such (checksum mismatch) rather than by whichever entry the edit broke. The checksum is proven
 * when the last flow has been read: a caller acts on flows before that only in ways it can undo or redo.
 */
export function* planFlows(head: PlanHead): Generator<PlanFlow> {
  const where = whereOf(head);
  const hasher = new PlanHasher(head.header);
  let problem = isGenesysId(head.header.module.id) ? undefined : `${where}: module id ${quoted(head.header.module.id)} is not a Genesys id`;
  for (const raw of rawFlows(head)) {
    hasher.add(raw);
    if (problem !== undefined) continue;
    problem = flowProblem(raw, head.header.formatVersion, where);
    if (problem === undefined) yield raw as PlanFlow;
  }
  if (hasher.digest() !== head.checksum) throw new PlanError(`${where} was modified after it was written (checksum mismatch); make a new plan`);
  if (problem !== undefined) throw new PlanError(problem);
}

/**
 * Reads and checks a whole plan file, keeping of each flow only what `keep` returns (the flows' metadata, say):
 * memory for what is kept, not for the file. A file that turns out not to be one flow a line is read again whole.
 */
export function readPlanFlows<T>(path: string, keep: (flow: PlanFlow) => T): { head: PlanHead; flows: T[] } {
  const head = readPlanHead(path);
  try {
    return { head, flows: Array.from(planFlows(head), keep) };
  } catch (error) {
    if (!(error instanceof NotOneFlowALine)) throw error;
    const whole = readPlanHead(path, 'whole');
    return { head: whole, flows: Array.from(planFlows(whole), keep) };
  }
}

/** Reads and checks a plan file, every flow with its texts; every problem is a one-line PlanError (the CLI: exit 2). */
export function readPlanFile(path: string): PlanFile {
  const { head, flows } = readPlanFlows(path, (flow) => flow);
  return { ...head.header, flows, checksum: head.checksum };
}

function headOf(checked: { header: PlanHeader; checksum: string }, source: PlanHead['source']): PlanHead {
  return { ...checked, runId: runIdForPlan({ createdAt: checked.header.createdAt, checksum: checked.checksum }), source };
}

function whereOf(head: PlanHead): string {
  return 'path' in head.source ? `plan file ${head.source.path}` : 'the plan';
}

const quoted = (value: unknown): string => JSON.stringify(String(value)).slice(0, 60);

/** The header lines (up to the flows) and the checksum line at the end, when the file has the writer's layout. */
function headOfLines(path: string): unknown {
  if (fileHead(path, 2) !== '{\n') return undefined;
  const lines: string[] = [];
  let found = false;
  for (const line of fileLines(path)) {
    if (line === FLOWS_LINE) {
      found = true;
      break;
    }
    lines.push(line);
    if (lines.length > MAX_HEADER_LINES) break;
  }
  const tail = TAIL.exec(fileTail(path, 4096));
  if (!found || !tail) return undefined;
  try {
    const header = JSON.parse(`${lines.join('\n').replace(/,$/, '')}\n}`) as Record<string, unknown>;
    return { ...header, checksum: JSON.parse(tail[1] as string) as string };
  } catch {
    return undefined;
  }
}

function parseWhole(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new PlanError(`plan file ${path} is not valid JSON`);
  }
}

/** What the header alone can show: a flowlink plan of a known format, saying what change it makes, complete. */
function checkHeader(value: unknown, path: string | undefined, hasFlows: boolean): { header: PlanHeader; checksum: string } {
  const where = path === undefined ? 'the plan' : `plan file ${path}`;
  const plan = value as Partial<PlanFile> | null;
  if (!plan || typeof plan !== 'object' || plan.kind !== 'flowlink-plan') throw new PlanError(`${path ?? 'the plan'} is not a flowlink plan file`);
  const format = plan.formatVersion;
  if (format !== 1 && format !== 2 && format !== 3) throw new PlanError(`plan file format ${String(format)} is not supported`);
  if (format !== 1 && !isChange(plan.change)) throw new PlanError(`${where} does not say what change it makes`);
  if (typeof plan.checksum !== 'string' || !hasFlows || typeof plan.module !== 'object' || plan.module === null
    || typeof plan.environment !== 'string' || typeof plan.createdAt !== 'string') {
    throw new PlanError(`${where} is incomplete`);
  }
  const { flows: _flows, checksum, ...header } = plan as PlanFile;
  return { header, checksum };
}

/** The flows as stored, unchecked: one a line, from the whole file parsed, or from a plan in memory. */
function rawFlows(head: PlanHead): Iterable<unknown> {
  if ('plan' in head.source) return head.source.plan.flows;
  const { path, layout } = head.source;
  if (layout === 'lines') return flowLines(path, head.checksum);
  const whole = parseWhole(path) as { flows?: unknown };
  if (!Array.isArray(whole?.flows)) throw new PlanError(`plan file ${path} is incomplete`);
  return whole.flows as unknown[];
}

/**
 * The flow lines of a file in the writer's layout: `    {...},` each, the last without its comma, then the end of
 * the array, the checksum the head declared and the closing brace. Anything else throws NotOneFlowALine.
 */
function* flowLines(path: string, checksum: string): Generator<unknown> {
  let part: 'header' | 'flows' | 'checksum' | 'close' | 'end' = 'header';
  let number = 0;
  let comma = false;
  let flows = 0;
  const broken = (): NotOneFlowALine =>
    new NotOneFlowALine(`plan file ${path} changed while it was read, or is cut short (line ${number} is not one whole flow); make a new plan`);
  for (const line of fileLines(path)) {
    number += 1;
    if (part === 'header') {
      if (line === FLOWS_LINE) part = 'flows';
    } else if (part === 'flows') {
      if (line === FLOWS_END) {
        if (comma) throw broken();
        part = 'checksum';
        continue;
      }
      // JSON's commas: between flows, not after the last.
      if (!line.startsWith('    {') || (flows > 0 && !comma)) throw broken();
      const next = line.endsWith(',');
      let flow: unknown;
      try {
        flow = JSON.parse(next ? line.slice(4, -1) : line.slice(4));
      } catch {
        throw broken();
      }
      comma = next;
      flows += 1;
      yield flow;
    } else if (part === 'checksum') {
      if (line !== `  "checksum": ${JSON.stringify(checksum)}`) throw broken();
      part = 'close';
    } else if (part === 'close') {
      if (line !== '}') throw broken();
      part = 'end';
    } else if (line !== '') {
      throw broken();
    }
  }
  if (part !== 'end') throw broken();
}

/** Why one stored flow cannot be used, if it cannot: ids become file names, targets carry the text they change. */
function flowProblem(raw: unknown, format: PlanHeader['formatVersion'], where: string): string | undefined {
  const flow = raw as Partial<PlanFlow> | null;
  if (!flow || typeof flow !== 'object' || Array.isArray(flow)) return `${where} has an entry that is not a flow`;
  // Ids become file names in the run directory: only Genesys ids (GUIDs) get that far.
  if (!isGenesysId(flow.id)) return `${where}: flow id ${quoted(flow.id)} is not a Genesys id`;
  if (flow.publishedVersion !== undefined && !VERSION.test(String(flow.publishedVersion))) {
    return `${where}: flow ${flow.id} has a version that is not a Genesys version id`;
  }
  if (!isTarget(String(flow.state))) return undefined;
  // Formats 1 and 2 carry the new YAML (proven against the recomputation at apply); format 3 never does.
  const newYamlAsFormatSays = format === 3 ? flow.updated === undefined : typeof flow.updated === 'string';
  if (typeof flow.original !== 'string' || sha256(flow.original) !== flow.sha256 || !newYamlAsFormatSays) {
    return `${where} has an inconsistent entry for flow ${flow.id}`;
  }
  return undefined;
}
