/**
 * Peak resident memory of this process. The high-water mark comes from the kernel: `VmHWM` in /proc/self/status
 * on Linux (the peak of this process image only). `resourceUsage().maxRSS` is the fallback elsewhere; in a child
 * process on Linux it is not usable, because it keeps the parent's RSS from the moment of the fork. A sampled
 * `process.memoryUsage()` adds the split between the V8 heap and memory outside it.
 */
import { readFileSync } from 'node:fs';

const MB = 1024 * 1024;

export interface PeakRss {
  /** The process's peak RSS per the kernel, MB. */
  maxRssMB: number;
  /** RSS when sampling started, MB (what was there before the measured work). */
  startMB: number;
  /** Highest sampled RSS while sampling ran, MB. */
  sampledPeakMB: number;
  /** Highest sampled V8 heap in use, MB (live objects plus garbage not yet collected). */
  heapPeakMB: number;
  /** Highest sampled memory outside the V8 heap (Buffers, ArrayBuffers), MB. */
  externalPeakMB: number;
}

/** Peak RSS in MB: VmHWM where /proc has it, else maxRSS. */
export function peakRssMB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round((Number(match[1]) * 1024) / MB);
  } catch {
    // no /proc: fall through
  }
  // maxRSS is in KiB on Linux and macOS reports bytes; only reached off Linux.
  return Math.round((process.resourceUsage().maxRSS * 1024) / MB);
}

export function sampleRss(intervalMs = 20): { stop(): PeakRss } {
  const start = process.memoryUsage().rss;
  const traceStart = Date.now();
  let peak = start;
  let heapPeak = 0;
  let externalPeak = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    // TRACE_MEM: each new peak too, when it comes.
    if (process.env.TRACE_MEM && usage.rss > peak + MB) console.error(`MEM-PEAK ${((Date.now() - traceStart) / 1000).toFixed(1)} s rss ${Math.round(usage.rss / MB)} heap ${Math.round(usage.heapUsed / MB)}/${Math.round(usage.heapTotal / MB)} external ${Math.round(usage.external / MB)}`);
    peak = Math.max(peak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    externalPeak = Math.max(externalPeak, usage.external);
  };
  // TRACE_MEM=1: the memory every second on stderr (where in a run the peak comes).
  let traced = 0;
  const timer = setInterval(() => {
    sample();
    if (process.env.TRACE_MEM && Date.now() - traced >= 1000) {
      traced = Date.now();
      const u = process.memoryUsage();
      console.error(`MEM ${((traced - traceStart) / 1000).toFixed(0)} s rss ${Math.round(u.rss / MB)} heap ${Math.round(u.heapUsed / MB)}/${Math.round(u.heapTotal / MB)} external ${Math.round(u.external / MB)} arrayBuffers ${Math.round(u.arrayBuffers / MB)}`);
    }
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        maxRssMB: peakRssMB(),
        startMB: Math.round(start / MB),
        sampledPeakMB: Math.round(peak / MB),
        heapPeakMB: Math.round(heapPeak / MB),
        externalPeakMB: Math.round(externalPeak / MB),
      };
    },
  };
}
