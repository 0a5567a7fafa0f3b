import type { FlowType } from '../../genesys/flow-types.js';

/** In-memory emulator state. Plain data only: it is what the snapshot file holds. */

export interface Lock {
  kind: 'user' | 'client';
  id: string;
  name: string;
}

export interface Division {
  id: string;
  name: string;
}

export type VersionType = 'SAVE' | 'CHECKIN' | 'PUBLISH';

export interface VersionRecord {
  id: string;
  n: number;
  type: VersionType;
  /** Archy YAML exactly as imported or seeded. */
  text?: string;
  /** A configuration saved with POST /flows/{id}/versions (JSON). */
  config?: unknown;
  dateCreated: number;
  datePublished?: number;
  createdBy?: Lock;
}

export interface OperationRecord {
  id: string;
  actionName: 'CHECKIN' | 'PUBLISH';
  actionStatus: 'STARTED' | 'SUCCESS' | 'FAILURE';
  complete: boolean;
  client?: Lock;
  startedAt: number;
  dueAt: number;
  errorMessage?: string;
  errorCode?: string;
}

export interface FlowRecord {
  id: string;
  name: string;
  type: FlowType;
  divisionId: string;
  description: string;
  deleted: boolean;
  lock?: Lock;
  publishedVersionId?: string;
  checkedInVersionId?: string;
  savedVersionId?: string;
  nextVersion: number;
  currentOperation?: OperationRecord;
  /** Every change of the published version (null: unpublished), for dependency tracking with lag. */
  publishHistory: { versionId: string | null; at: number }[];
  versions: VersionRecord[];
}

export type FlowMeta = Omit<FlowRecord, 'versions'>;

export interface JobMessage {
  dateTime: string;
  type: 'Error' | 'Warning';
  text: string;
}

export interface ImportJobRecord {
  id: string;
  status: 'Registered' | 'Started' | 'Success' | 'Failure';
  clientId: string;
  createStubs: boolean;
  createdAt: number;
  dueAt?: number;
  flowId?: string;
  messages: JobMessage[];
  /** A fault rule decided this job's fate at upload. */
  hang?: boolean;
  forcedFailure?: string;
}

export interface ExportItem {
  flowId: string;
  versionId: string;
  fileName: string;
}

export interface ExportJobRecord {
  id: string;
  status: 'Started' | 'Success' | 'Failure';
  createdAt: number;
  dueAt: number;
  totalFlows: number;
  items: ExportItem[];
  messages: JobMessage[];
}

export interface TokenRecord {
  /** sha256 of the bearer token: the token itself is never stored. */
  hash: string;
  id: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
}

export interface EmulatorState {
  divisions: Map<string, Division>;
  flows: Map<string, FlowRecord>;
  importJobs: Map<string, ImportJobRecord>;
  /** Uploaded YAML of import jobs not yet finished. */
  importTexts: Map<string, string>;
  exportJobs: Map<string, ExportJobRecord>;
  tokens: Map<string, TokenRecord>;
}

export function emptyState(): EmulatorState {
  return {
    divisions: new Map(),
    flows: new Map(),
    importJobs: new Map(),
    importTexts: new Map(),
    exportJobs: new Map(),
    tokens: new Map(),
  };
}
