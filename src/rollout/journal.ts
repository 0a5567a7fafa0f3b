import { openSync, writeSync, fsyncSync, closeSync, readFileSync, existsSync, truncateSync } from 'node:fs';
import { redact } from '../shared/redact.js';

/**
 * The run's append-only journal: one JSON line per step per flow, fsynced before the caller takes the next step,
 * so that after a crash at any instant the journal tells exactly what was done. Hand-written (not a logging
 * library) because the guarantee is the product: a line is on disk before the write it announces happens.
 */
export interface JournalEntry {
  /** ISO time of the step. */
  at: string;
  /** What happened: see STEP below. */
  step: JournalStep;
  flowId?: string;
  [key: string]: unknown;
}

export type JournalStep =
  | 'run-started'
  | 'run-resumed'
  | 'run-interrupted'
  | 'run-finished'
  | 'backup-written'
  /** These targets' published versions in the org mean the plan's originals (apply.ts proveOriginals). */
  | 'originals-proven'
  | 'run-refused'
  | 'precheck-skipped'
  | 'import-registered'
  | 'import-uploaded'
  | 'import-succeeded'
  | 'import-failed'
  | 'flow-done'
  /** Written by earlier versions (the version after, looked up at the end); still read. flow-done carries it now. */
  | 'flow-version'
  | 'flow-failed'
  /** Someone else published between this run's check and its write, and it could not be repaired: both version ids. */
  | 'flow-conflict'
  /** A write that superseded someone else's version is made again on top of theirs. */
  | 'rebase'
  | 'flow-skipped'
  | 'rollback-started'
  | 'rollback-finished';

export class Journal {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Appends one step and fsyncs it; returns only when the line is durable. */
  append(step: JournalStep, fields: Omit<JournalEntry, 'at' | 'step'> = {}): JournalEntry {
    return this.appendMany([[step, fields]])[0] as JournalEntry;
  }

  /** Several lines with one write and one fsync (steps already taken together, as a batch of backups). */
  appendMany(lines: readonly (readonly [JournalStep, Omit<JournalEntry, 'at' | 'step'>])[]): JournalEntry[] {
    const at = new Date().toISOString();
    const entries = lines.map(([step, fields]): JournalEntry => ({ at, step, ...fields }));
    if (this.fd === undefined) {
      dropTornTail(this.path);
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, entries.map((entry) => redact(JSON.stringify(entry)) + '\n').join(''));
    fsyncSync(this.fd);
    return entries;
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/**
 * Reads a journal back. A kill -9 can leave a torn last line; it is ignored (the step it announced was not taken,
 * since every step is written before it is acted on). A torn line anywhere else means the file was damaged.
 */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
      if (!isLast) throw new Error(`journal ${path} is damaged at line ${index + 1}`);
    }
  });
  return entries;
}

/** The last entry per flow id, in journal order. */
export function lastStepByFlow(entries: readonly JournalEntry[]): Map<string, JournalEntry> {
  const last = new Map<string, JournalEntry>();
  for (const entry of entries) if (entry.flowId) last.set(entry.flowId, entry);
  return last;
}

/** Cuts a torn last line (no newline after it) so the next append starts on a line of its own. */
function dropTornTail(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}
