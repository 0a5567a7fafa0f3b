import type { FlowType } from '../../genesys/flow-types.js';

/**
 * The emulator's seed format: what `--seed FILE` reads (as JSON), what `POST /__emulator/seed` takes, and what
 * `generateDemoOrg()` returns. Flow content is Archy YAML text; the emulator derives everything else it shows
 * (common-module schemas, compatible flow types, dependencies) from that text, as Genesys does from a flow.
 */
export interface SeedFixture {
  divisions: SeedDivision[];
  flows: SeedFlow[];
}

export interface SeedDivision {
  id: string;
  name: string;
}

export interface SeedLock {
  /** `user`: shown in `lockedUser`; `client`: an OAuth client, shown in `lockedClient`. */
  kind: 'user' | 'client';
  id: string;
  name: string;
}

export interface SeedFlow {
  id: string;
  type: FlowType;
  name: string;
  divisionId: string;
  description?: string;
  /** Published versions' Archy YAML, oldest first ("1.0", "2.0", ...). Absent or empty: never published. */
  published?: string[];
  /** A saved, checked-in-or-not draft newer than the last published version (`savedVersion`). */
  draft?: string;
  /** The flow is checked out (locked) by this user or client. */
  lockedBy?: SeedLock;
}
