import type { RequestKind } from './http.js';

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  query: string;
  /** 0 when the connection was reset by a fault. */
  status: number;
  tokenId: string | null;
  time: number;
  kind: Exclude<RequestKind, 'control'>;
}

/** Every non-control request, so tests and benchmarks can count API calls. Bounded; oldest entries drop first. */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly max = 200_000) {}

  add(entry: Omit<LoggedRequest, 'seq'>): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ...entry });
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  list(): LoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
