/**
 * Engine benchmark (not a test): flows from the demo generator (a quarter of them large) through find + insert
 * (which includes the re-parse self-check and the unified diff), one flow at a time on one core.
 * Run: `node --import tsx bench/engine.ts [flows]`.
 */
import { pathToFileURL } from 'node:url';
import { generateDemoOrg } from '../src/emulator/seed/demo.js';
import { findModuleCalls, insertModuleCall } from '../src/flow/index.js';

const MB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runEngineBench(opts: { flows?: number } = {}): Promise<Record<string, number | string>> {
  const flowCount = opts.flows ?? 10000;
  const genStart = performance.now();
  const org = generateDemoOrg({ flowCount, largeFlowShare: 0.25 });
  const genMs = performance.now() - genStart;
  // Only the text the engine works on is kept; the rest of the org can go.
  const texts: (string | undefined)[] = org.flows.map((f) => f.published?.at(-1)).filter((t): t is string => typeof t === 'string');
  org.flows.length = 0;
  if (texts.length === 0) return { flows: 0, note: 'the demo generator returned no published flows' };

  const statuses = new Map<string, number>();
  const perFlow: number[] = [];
  let bytes = 0;
  let lines = 0;
  let large = 0;
  const rssStart = process.memoryUsage().rss;
  let rssMax = rssStart;
  const start = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    texts[i] = undefined; // processed flows are not kept
    const t0 = performance.now();
    findModuleCalls(text);
    const r = insertModuleCall(text, {
      module: 'Bench Logger',
      inputs: { 'Common.conversationId': { exp: 'Call.ConversationId' } },
      fileName: `flow-${i}.yaml`,
    });
    perFlow.push(performance.now() - t0);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    bytes += text.length;
    const n = text.split('\n').length;
    lines += n;
    if (n > 1000) large++;
    if (i % 100 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const totalMs = performance.now() - start;
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  perFlow.sort((a, b) => a - b);
  return {
    flows: perFlow.length,
    largeFlows: large,
    avgLines: Math.round(lines / perFlow.length),
    totalMB: +(bytes / MB).toFixed(1),
    generateSeconds: +(genMs / 1000).toFixed(1),
    engineSeconds: +(totalMs / 1000).toFixed(1),
    flowsPerSecond: Math.round(perFlow.length / (totalMs / 1000)),
    medianMs: +percentile(perFlow, 50).toFixed(2),
    p99Ms: +percentile(perFlow, 99).toFixed(2),
    maxMs: +perFlow[perFlow.length - 1]!.toFixed(2),
    // maxRSS (KiB) covers the whole process, generator included; the delta is what the engine loop added.
    peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
    engineRssDeltaMB: Math.round((rssMax - rssStart) / MB),
    statuses: [...statuses].map(([s, n]) => `${s}=${n}`).join(' '),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const flows = process.argv[2] ? Number(process.argv[2]) : undefined;
  const result = await runEngineBench(flows ? { flows } : {});
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
