import { writeFileDurably } from './durable-write.js';
import { PlanHasher, type PlanFile, type PlanFlow, type PlanHeader } from './plan-format.js';

/*
 * The plan file's layout, which plan-read.ts reads line by line: the header (pretty-printed), one flow a line in
 * the `flows` array, the checksum last (it is known only once every flow is through).
 */

export function planHeadPiece(header: PlanHeader): string {
  return `${JSON.stringify(header, null, 2).replace(/\n}$/, '')},\n  "flows": [`;
}

export function planFlowPiece(flow: PlanFlow, first: boolean): string {
  return `${first ? '' : ','}\n    ${JSON.stringify(flow)}`;
}

export function planTailPiece(checksum: string): string {
  return `\n  ],\n  "checksum": ${JSON.stringify(checksum)}\n}\n`;
}

/** The plan file's text in pieces. `checksum` may be a function, called once every flow is through. */
export function* planPieces(header: PlanHeader, flows: Iterable<PlanFlow>, checksum: string | (() => string)): Generator<string> {
  yield planHeadPiece(header);
  let first = true;
  for (const flow of flows) {
    yield planFlowPiece(flow, first);
    first = false;
  }
  yield planTailPiece(typeof checksum === 'function' ? checksum() : checksum);
}

/** A plan in memory as the file's pieces: for a file, or for stdout (`--out -`). */
export function planFileText(plan: PlanFile): Generator<string> {
  const { flows, checksum, ...header } = plan;
  return planPieces(header, flows, checksum);
}

/** Written flow by flow, never as one string of the whole plan. */
export function writePlanFile(path: string, plan: PlanFile): void {
  writeFileDurably(path, planFileText(plan));
}

/** The pieces of a plan whose flows come one at a time (made as they are written): sealed with their checksum. */
export function sealedPlanPieces(header: PlanHeader, flows: Iterable<PlanFlow>): Generator<string> {
  const hasher = new PlanHasher(header);
  function* hashed(): Generator<PlanFlow> {
    for (const flow of flows) {
      hasher.add(flow);
      yield flow;
    }
  }
  return planPieces(header, hashed(), () => hasher.digest());
}
