import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import type { StateEvent } from './events.js';
import { applyEvent } from './events.js';
import type { EmulatorState } from './types.js';
import { emptyState } from './types.js';

const SNAPSHOT = 'snapshot.json';
const LOG = 'log.jsonl';
/** Above this the log is folded into a new snapshot, so a restart never replays an unbounded log. */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;

/**
 * Durable state in a data directory: an append-only JSONL log (one line per acknowledged write, fsynced before the
 * response) plus a snapshot written on close, on reset/seed and when the log grows large. A torn last line (the
 * process was killed mid-write, so that write was never acknowledged) is ignored on replay.
 */
export class Persistence {
  private fd: number | undefined;
  private seq = 0;
  private logBytes = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The stored state, or undefined when the directory holds none yet. */
  load(): EmulatorState | undefined {
    const snapshotPath = join(this.dir, SNAPSHOT);
    const logPath = join(this.dir, LOG);
    if (!existsSync(snapshotPath) && !existsSync(logPath)) return undefined;
    const state = emptyState();
    let snapshotSeq = 0;
    if (existsSync(snapshotPath)) snapshotSeq = restoreSnapshot(state, readFileSync(snapshotPath, 'utf8'));
    this.seq = snapshotSeq;
    if (existsSync(logPath)) {
      const lines = readFileSync(logPath, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (line.trim() === '') return;
        let entry: { seq: number; ev: StateEvent[] };
        try {
          entry = JSON.parse(line) as { seq: number; ev: StateEvent[] };
        } catch (error) {
          const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
          if (isLast) return; // torn write of an unacknowledged request
          throw new Error(`emulator data log ${logPath} is corrupt at line ${index + 1}`, { cause: error });
        }
        if (entry.seq <= snapshotSeq) return; // already folded into the snapshot
        for (const event of entry.ev) applyEvent(state, event);
        this.seq = entry.seq;
      });
    }
    return state;
  }

  append(events: StateEvent[]): void {
    if (events.length === 0) return;
    if (this.fd === undefined) this.openLog();
    this.seq += 1;
    const line = JSON.stringify({ seq: this.seq, ev: events }) + '\n';
    const bytes = Buffer.from(line, 'utf8');
    writeSync(this.fd as number, bytes);
    fsyncSync(this.fd as number);
    this.logBytes += bytes.length;
  }

  shouldCompact(): boolean {
    return this.logBytes > COMPACT_AT_BYTES;
  }

  /** Writes the whole state atomically (temp file, fsync, rename) and then empties the log. */
  snapshot(state: EmulatorState): void {
    const path = join(this.dir, SNAPSHOT);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, serializeSnapshot(state, this.seq));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncDirectory(this.dir);
    if (this.fd === undefined) this.openLog();
    ftruncateSync(this.fd as number, 0);
    fsyncSync(this.fd as number);
    this.logBytes = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openLog(): void {
    const path = join(this.dir, LOG);
    this.fd = openSync(path, 'a');
    this.logBytes = existsSync(path) ? statSync(path).size : 0;
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

function serializeSnapshot(state: EmulatorState, seq: number): string {
  return JSON.stringify({
    format: 1,
    seq,
    divisions: [...state.divisions.values()],
    flows: [...state.flows.values()],
    importJobs: [...state.importJobs.values()],
    importTexts: [...state.importTexts.entries()],
    exportJobs: [...state.exportJobs.values()],
    tokens: [...state.tokens.values()],
  });
}

function restoreSnapshot(state: EmulatorState, text: string): number {
  const data = JSON.parse(text) as {
    seq: number;
    divisions: EmulatorState['divisions'] extends Map<string, infer D> ? D[] : never;
    flows: EmulatorState['flows'] extends Map<string, infer F> ? F[] : never;
    importJobs: EmulatorState['importJobs'] extends Map<string, infer J> ? J[] : never;
    importTexts: [string, string][];
    exportJobs: EmulatorState['exportJobs'] extends Map<string, infer E> ? E[] : never;
    tokens: EmulatorState['tokens'] extends Map<string, infer T> ? T[] : never;
  };
  for (const d of data.divisions) state.divisions.set(d.id, d);
  for (const f of data.flows) state.flows.set(f.id, f);
  for (const j of data.importJobs) state.importJobs.set(j.id, j);
  for (const [id, t] of data.importTexts) state.importTexts.set(id, t);
  for (const e of data.exportJobs) state.exportJobs.set(e.id, e);
  for (const t of data.tokens) state.tokens.set(t.hash, t);
  return data.seq;
}
