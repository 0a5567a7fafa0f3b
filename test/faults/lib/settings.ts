/** The fault suite's fixed settings, in one place. */

/** The module every trial's plan calls (one of the demo org's common modules). */
export const MODULE = 'Global_Exception_Handler';
/** Import/export jobs and Operations take this long on the suite's emulators (the default is 200 ms). */
export const JOB_MS = 100;
/** High enough that the emulator's own budget never answers 429: the suite injects its 429s itself. */
export const RATE_LIMIT = 100_000;
/** Hard limit for one spawned apply or verify: past it the process is killed and the trial fails. */
export const PROCESS_TIMEOUT_MS = 120_000;
