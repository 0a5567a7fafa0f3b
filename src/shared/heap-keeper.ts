import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps a long run's memory flat (issue 15). V8 sizes its old generation from what was live after its last full
 * collection and lets promoted garbage grow to several times that before it collects again. Apply holds little
 * (about 40 MB live at 10,000 flows), but it promotes garbage steadily: the texts of a batch being compared, the
 * HTTP objects of requests in flight when a young-generation collection runs, the plan read line by line. Its heap
 * swung between 50 and 140 MB, so the peak grew with the length of the run, not with what it holds.
 *
 * So at the places a run pauses anyway (between batches of the preparation, on the outcome watcher's tick, while
 * the report is read), flowlink asks for a full collection once GARBAGE_BYTES have been added since the last one:
 * 20 to 30 ms for what apply keeps live; 273 of them (6.3 s of CPU) in a 10,000-flow apply that runs 41 minutes
 * in real time (`heapKeeperStats`; bench/results.json). With it the run's heap stays within some 60 MB. A heap cap
 * (--max-old-space-size) would bound the peak too, but as a crash when a large run needs more; this only collects
 * sooner. The collector is reached through V8's `--expose-gc`, set at run time (a `vm` context then has `gc`);
 * where that is not available, nothing is done.
 */
const GARBAGE_BYTES = 16 * 1024 * 1024;

let collector: (() => void) | undefined | null = null;
let usedAfterLast = 0;
const stats = { collections: 0, ms: 0 };

function gcFunction(): (() => void) | undefined {
  if (collector !== null) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collector = typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    collector = undefined;
  }
  return collector;
}

/** A full collection if the heap grew by GARBAGE_BYTES since the last one; whether one was made. */
export function collectIfGrown(): boolean {
  const used = getHeapStatistics().used_heap_size;
  if (used - usedAfterLast < GARBAGE_BYTES) return false;
  const gc = gcFunction();
  if (!gc) return false;
  const started = performance.now();
  gc();
  stats.ms += performance.now() - started;
  stats.collections += 1;
  usedAfterLast = getHeapStatistics().used_heap_size;
  return true;
}

/** Collections made in this process, and the time they took (ms). */
export function heapKeeperStats(): { collections: number; ms: number } {
  return { ...stats };
}
