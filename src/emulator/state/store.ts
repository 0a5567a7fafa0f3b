import type { StateEvent } from './events.js';
import { applyEvent } from './events.js';
import type { Persistence } from './persistence.js';
import type { EmulatorState } from './types.js';
import { emptyState } from './types.js';

export type DueKind = 'operation' | 'import' | 'export';
type DueHandler = (id: string, now: number) => void;

/**
 * The one place state changes: `commit` writes the events to the log (when persistent) and then applies them.
 * Asynchronous Genesys work (Operations, import and export jobs) is "due" at a time; `settle(now)` completes what
 * is due, lazily on the next request, so an injected clock drives it deterministically and nothing needs a timer.
 */
export class Store {
  state: EmulatorState = emptyState();
  private readonly due = new Map<string, { kind: DueKind; id: string; at: number }>();
  private readonly handlers = new Map<DueKind, DueHandler>();

  constructor(private readonly persistence?: Persistence) {}

  /** Loads persisted state; false when there was none. */
  load(): boolean {
    const loaded = this.persistence?.load();
    if (!loaded) return false;
    this.state = loaded;
    this.rebuildDue();
    this.persistence?.snapshot(this.state);
    return true;
  }

  commit(events: StateEvent[]): void {
    this.persistence?.append(events);
    for (const event of events) {
      applyEvent(this.state, event);
      this.track(event);
    }
    if (this.persistence?.shouldCompact()) this.persistence.snapshot(this.state);
  }

  /** Replaces everything (reset/seed of a whole org): applied in memory, then made durable by one snapshot. */
  replace(events: StateEvent[]): void {
    for (const event of [{ t: 'clear' } as StateEvent, ...events]) {
      applyEvent(this.state, event);
    }
    this.rebuildDue();
    this.persistence?.snapshot(this.state);
  }

  onDue(kind: DueKind, handler: DueHandler): void {
    this.handlers.set(kind, handler);
  }

  settle(now: number): void {
    for (let guard = 0; guard < 100_000; guard += 1) {
      let next: { key: string; kind: DueKind; id: string; at: number } | undefined;
      for (const [key, item] of this.due) {
        if (item.at <= now && (!next || item.at < next.at)) next = { key, ...item };
      }
      if (!next) return;
      this.due.delete(next.key);
      this.handlers.get(next.kind)?.(next.id, now);
    }
  }

  persist(): void {
    this.persistence?.snapshot(this.state);
  }

  close(): void {
    this.persistence?.snapshot(this.state);
    this.persistence?.close();
  }

  private rebuildDue(): void {
    this.due.clear();
    for (const flow of this.state.flows.values()) this.trackFlow(flow.id);
    for (const job of this.state.importJobs.values()) this.track({ t: 'importJob', job });
    for (const job of this.state.exportJobs.values()) this.track({ t: 'exportJob', job });
  }

  private track(event: StateEvent): void {
    if (event.t === 'flow') this.trackFlow(event.flow.id);
    else if (event.t === 'importJob') {
      const job = event.job;
      const key = `import:${job.id}`;
      if (job.status === 'Started' && !job.hang && job.dueAt !== undefined) this.due.set(key, { kind: 'import', id: job.id, at: job.dueAt });
      else this.due.delete(key);
    } else if (event.t === 'exportJob') {
      const key = `export:${event.job.id}`;
      if (event.job.status === 'Started') this.due.set(key, { kind: 'export', id: event.job.id, at: event.job.dueAt });
      else this.due.delete(key);
    }
  }

  private trackFlow(flowId: string): void {
    const op = this.state.flows.get(flowId)?.currentOperation;
    const key = `operation:${flowId}`;
    if (op && !op.complete) this.due.set(key, { kind: 'operation', id: flowId, at: op.dueAt });
    else this.due.delete(key);
  }
}
