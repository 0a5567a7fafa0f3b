import { writeFileDurably } from './durable-write.js';
import { PlanHasher, type PlanFile, type PlanFlow, type PlanHeader } from './plan-format.js';

/**
 * The plan file's text in pieces: the header, one flow a line, the checksum last (plan-read.ts reads that layout
 * line by line). `checksum` may be a function, called once every flow is through: a plan written as it is made.
 */
export function* planPieces(header: PlanHeader, flows: Iterable<PlanFlow>, checksum: string | (() => string)): Generator<string> {
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  yield `${head},\n  "flows": [`;
  let first = true;
  for (const flow of flows) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(flow)}`;
    first = false;
  }
  yield `\n  ],\n  "checksum": ${JSON.stringify(typeof checksum === 'function' ? checksum() : checksum)}\n}\n`;
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
