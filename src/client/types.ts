/**
 * The Platform API models flowlink reads (genesys-api.md §4). Only the fields flowlink uses are typed; the API
 * returns more, and absent fields are omitted rather than null, so nearly everything is optional.
 */

export interface EntityRef {
  id: string;
  name?: string;
  selfUri?: string;
}

export interface FlowVersion {
  id: string;
  name?: string;
  commitVersion?: string;
  configurationVersion?: string;
  type?: 'PUBLISH' | 'CHECKIN' | 'SAVE' | string;
  secure?: boolean;
  debug?: boolean;
  createdBy?: EntityRef;
  createdByClient?: EntityRef;
  configurationUri?: string;
  dateCreated?: number;
  dateCheckedIn?: number;
  dateSaved?: number;
  datePublished?: string;
  datePublishedEnd?: string;
  compatibleFlowTypes?: string[];
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  selfUri?: string;
}

export interface JsonSchema {
  properties?: Record<string, unknown>;
  required?: string[];
  [key: string]: unknown;
}

export type OperationStatus =
  | 'LOCKED' | 'UNLOCKED' | 'STARTED' | 'PENDING_GENERATION' | 'PENDING_BACKEND_NOTIFICATION' | 'SUCCESS' | 'FAILURE';

export interface Operation {
  id: string;
  complete: boolean;
  user?: EntityRef;
  client?: EntityRef;
  errorMessage?: string;
  errorCode?: string;
  errorDetails?: unknown[];
  errorMessageParams?: Record<string, string>;
  actionName?: string;
  actionStatus?: OperationStatus | string;
}

export interface Flow {
  id: string;
  name: string;
  /** UPPERCASE in responses: `INBOUNDCALL`. */
  type: string;
  division?: EntityRef;
  description?: string;
  lockedUser?: EntityRef;
  lockedClient?: EntityRef;
  active?: boolean;
  system?: boolean;
  deleted?: boolean;
  publishedVersion?: FlowVersion;
  savedVersion?: FlowVersion;
  checkedInVersion?: FlowVersion;
  debugVersion?: FlowVersion;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  publishedBy?: EntityRef;
  currentOperation?: Operation;
  compatibleFlowTypes?: string[];
  selfUri?: string;
}

/** Every `*EntityListing` (genesys-api.md §3.4). */
export interface EntityListing<T> {
  entities?: T[];
  pageSize?: number;
  pageNumber?: number;
  total?: number;
  pageCount?: number;
  firstUri?: string;
  selfUri?: string;
  nextUri?: string;
  previousUri?: string;
  lastUri?: string;
}

/** The Platform API error body (genesys-api.md §4.4). */
export interface ErrorBody {
  message?: string;
  code?: string;
  status?: number;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  contextId?: string;
  details?: unknown[];
  errors?: ErrorBody[];
}

export type JobStatus = 'Registered' | 'Started' | 'Success' | 'Failure';

export interface ArchitectJobMessage {
  dateTime?: string;
  type?: 'Error' | 'Warning' | string;
  text?: string;
  details?: unknown[];
}

export interface RegisterImportJobResponse {
  id: string;
  presignedUrl: string;
  headers: Record<string, string>;
  selfUri?: string;
}

export interface ImportJobState {
  id: string;
  status: JobStatus | string;
  command?: string;
  flow?: EntityRef;
  messages?: ArchitectJobMessage[];
  selfUri?: string;
}

export interface ExportJobState {
  id: string;
  status: JobStatus | string;
  command?: string;
  downloadUrl?: string;
  messages?: ArchitectJobMessage[];
  totalFlows?: number;
  selfUri?: string;
}

export interface Dependency {
  id: string;
  name?: string;
  version?: string;
  type?: string;
  deleted?: boolean;
  updated?: boolean;
  stateUnknown?: boolean;
  selfUri?: string;
}

export type DependencyBuildState =
  | 'BUILDINCOMPLETE' | 'BUILDINITIALIZING' | 'BUILDINPROGRESS' | 'BUILDQUEUED' | 'NOTBUILT' | 'OPERATIONAL'
  | 'OPERATIONALNEEDSREBUILD';

export interface DependencyStatus {
  id?: string;
  status?: DependencyBuildState | string;
  dateStarted?: string;
  dateCompleted?: string;
  failedObjects?: { id?: string; version?: string; name?: string; errorCode?: string }[];
  [key: string]: unknown;
}
