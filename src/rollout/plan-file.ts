/**
 * The plan file: its format and checksum (plan-format.ts), reading it one flow at a time (plan-read.ts) and
 * writing it (plan-write.ts). One place to import all three from.
 */
export * from './plan-format.js';
export { readPlanFile, readPlanFlows, readPlanHead, planFlows, planHeadOf, type PlanHead, type PlanLayout } from './plan-read.js';
export { planFileText, planPieces, sealedPlanPieces, writePlanFile } from './plan-write.js';
