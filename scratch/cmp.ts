import { rolloutFixtures, BENCH_MODULE } from '../bench/lib/fixture.ts';
import { regenerateExport } from '../src/emulator/archy/regenerate-export.ts';
import { compareMeaning, flowMeaning, insertModuleCall } from '../src/flow/index.ts';
import { blockReaderDeclines } from '../src/flow/parse-flow.ts';
import { DECLINED, readBlockYaml } from '../src/flow/block-reader.ts';
const fx = rolloutFixtures([300]).get(300)!;
const pairs = fx.flows.filter((f) => f.type !== 'commonmodule').map((f) => {
  const ins = insertModuleCall(f.published!.at(-1)!, { module: BENCH_MODULE, placement: { at: 'start' } });
  return [ins.yaml!, regenerateExport(ins.yaml!)] as const;
});
const bytes = pairs.reduce((a, [x]) => a + x.length, 0);
let declinedMine = 0, declinedExport = 0;
for (const [a, b] of pairs) { if (readBlockYaml(a) === DECLINED) declinedMine++; if (readBlockYaml(b) === DECLINED) declinedExport++; }
console.log(pairs.length, 'flows avg', Math.round(bytes / pairs.length), 'bytes; block reader declines: ours', declinedMine, 'exports', declinedExport);
let t = performance.now(); let same = 0;
for (const [a, b] of pairs) if (compareMeaning(a, b).same) same++;
console.log('compare', ((performance.now() - t) / pairs.length).toFixed(2), 'ms per flow, same', same);
t = performance.now(); for (const [, b] of pairs) flowMeaning(b);
console.log('meaning of export', ((performance.now() - t) / pairs.length).toFixed(2), 'ms');
t = performance.now(); for (const [, b] of pairs) readBlockYaml(b);
console.log('block read of export', ((performance.now() - t) / pairs.length).toFixed(2), 'ms');
