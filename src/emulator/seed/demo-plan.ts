import type { InboundFlowType } from '../../genesys/flow-types.js';
import { DEMO_MODULES, type DemoModuleName } from './demo-modules.js';
import { OTHER_FAMILIES, SALES_LINE, SALES_LINE_COUNT, type DemoDivision, type FlowFamily } from './demo-names.js';
import type { DemoRandom } from './demo-random.js';
import type { ModuleCallPlan, StartupShape } from './demo-shapes.js';
import type { YamlLayout } from './demo-yaml.js';

/**
 * Which flows the demo org has and what state and layout each is in. Shares are drawn as exact counts over a
 * shuffled list (not a coin per flow), so an org of any size has them to the rounding; the Sales_Line_ family
 * gets fixed minimums that the docs and tests rely on.
 */

export type FlowState = 'normal' | 'locked' | 'draft' | 'neverPublished';

export interface PlannedFlow {
  index: number;
  family: FlowFamily;
  type: InboundFlowType;
  name: string;
  division: DemoDivision;
  state: FlowState;
  lockHolder?: 'user' | 'client';
  calls: ModuleCallPlan[];
  startup: StartupShape;
  transferInStartup: boolean;
  large: boolean;
  publishedVersions: number;
  layout: YamlLayout;
  comments: boolean;
  unicode: boolean;
  wideUnicode: boolean;
  substitutions: boolean;
}

export const SHARES = { locked: 0.05, draft: 0.05, calling: 0.1, neverPublished: 0.012 } as const;

/** Sales_Line_ minimums: 2 locked, 2 drafts, 3 calling Global_Exception_Handler, 1 never published, ... */
export const SALES_LINE_MINIMUMS = {
  locked: 2, draft: 2, calling: 3, neverPublished: 1, menuStart: 8, crlf: 2, comments: 2, indent4: 1, flush: 1,
  transferInStartup: 2,
} as const;

function familyCounts(flowCount: number): { family: FlowFamily; count: number }[] {
  const sales = Math.min(SALES_LINE_COUNT, flowCount);
  const rest = flowCount - sales;
  const totalWeight = OTHER_FAMILIES.reduce((sum, f) => sum + f.weight, 0);
  // Largest remainder: the counts add up to exactly `rest`.
  const raw = OTHER_FAMILIES.map((family) => ({ family, exact: (rest * family.weight) / totalWeight }));
  const counts = raw.map((r) => ({ family: r.family, count: Math.floor(r.exact), frac: r.exact - Math.floor(r.exact) }));
  let missing = rest - counts.reduce((sum, c) => sum + c.count, 0);
  for (const c of [...counts].sort((a, b) => b.frac - a.frac)) {
    if (missing-- <= 0) break;
    c.count++;
  }
  return [{ family: SALES_LINE, count: sales }, ...counts.map(({ family, count }) => ({ family, count }))];
}

function randomLayout(rng: DemoRandom): YamlLayout {
  return {
    indent: rng.chance(0.1) ? 4 : 2,
    flushSequences: rng.chance(0.1),
    eol: rng.chance(0.08) ? '\r\n' : '\n',
    finalNewline: !rng.chance(0.12),
    quoteYesNoKeys: !rng.chance(0.15),
  };
}

function randomStartup(type: InboundFlowType, rng: DemoRandom): StartupShape {
  if (type !== 'inboundcall') return 'state';
  const roll = rng.next();
  return roll < 0.45 ? 'task' : roll < 0.8 ? 'menu' : 'taskThenMenu';
}

export function planFlows(flowCount: number, largeFlowShare: number, rng: DemoRandom): PlannedFlow[] {
  const flows: PlannedFlow[] = [];
  for (const { family, count } of familyCounts(flowCount)) {
    for (let i = 1; i <= count; i++) {
      flows.push({
        index: flows.length,
        family,
        type: family.type,
        name: `${family.prefix}${String(i).padStart(3, '0')}`,
        division: family.division,
        state: 'normal',
        calls: [],
        startup: randomStartup(family.type, rng),
        transferInStartup: false,
        large: false,
        publishedVersions: 1,
        layout: randomLayout(rng),
        comments: rng.chance(0.1),
        unicode: rng.chance(0.12),
        wideUnicode: false,
        substitutions: rng.chance(0.05),
      });
    }
  }

  const sales = flows.filter((f) => f.family === SALES_LINE);
  const fixed = new Set<PlannedFlow>();
  const counts = { locked: 0, draft: 0, calling: 0, neverPublished: 0 };
  const assign = (flow: PlannedFlow, what: keyof typeof counts): void => {
    fixed.add(flow);
    counts[what]++;
    if (what === 'calling') {
      flow.calls = [{ module: DEMO_MODULES.globalExceptionHandler, where: 'start' }];
      if (flow.type === 'inboundcall' && flow.startup === 'menu') flow.startup = 'task';
    } else {
      flow.state = what;
      if (what === 'locked') flow.lockHolder = counts.locked % 2 === 1 ? 'user' : 'client';
    }
  };

  if (sales.length === SALES_LINE_COUNT) {
    const m = SALES_LINE_MINIMUMS;
    const order = rng.shuffled(sales);
    let at = 0;
    for (const [what, n] of [['locked', m.locked], ['draft', m.draft], ['calling', m.calling], ['neverPublished', m.neverPublished]] as const) {
      for (let i = 0; i < n; i++) assign(order[at++] as PlannedFlow, what);
    }
    const styles = rng.shuffled(sales);
    styles.slice(0, m.crlf).forEach((f) => (f.layout.eol = '\r\n'));
    styles.slice(m.crlf, m.crlf + m.comments).forEach((f) => (f.comments = true));
    const at4 = m.crlf + m.comments;
    styles.slice(at4, at4 + m.indent4).forEach((f) => (f.layout.indent = 4));
    styles.slice(at4 + m.indent4, at4 + m.indent4 + m.flush).forEach((f) => (f.layout.flushSequences = true));
    const notCalling = rng.shuffled(sales.filter((f) => f.calls.length === 0));
    notCalling.slice(0, m.menuStart).forEach((f) => (f.startup = 'menu'));
    notCalling.slice(m.menuStart, m.menuStart + m.transferInStartup).forEach((f) => {
      f.startup = 'task';
      f.transferInStartup = true;
    });
  }

  const target = (share: number, min = 0): number => Math.max(min, Math.round(flowCount * share));
  const pool = rng.shuffled(flows.filter((f) => !fixed.has(f)));
  const take = (what: keyof typeof counts, total: number): void => {
    while (counts[what] < total && pool.length > 0) assign(pool.pop() as PlannedFlow, what);
  };
  take('locked', target(SHARES.locked));
  take('draft', target(SHARES.draft));
  take('neverPublished', target(SHARES.neverPublished, flowCount >= 100 ? 3 : 0));
  // Callers come from the remaining flows; the last few carry other modules or a second, nested call.
  const callers: PlannedFlow[] = [];
  while (counts.calling < target(SHARES.calling) && pool.length > 0) {
    const flow = pool.pop() as PlannedFlow;
    fixed.add(flow);
    counts.calling++;
    callers.push(flow);
  }
  callers.forEach((flow, i) => {
    const roll = rng.next();
    if (i < 2 || roll < 0.75) {
      flow.calls = [{ module: DEMO_MODULES.globalExceptionHandler, where: 'start' }];
      if (flow.startup === 'menu') flow.startup = 'task';
      if (rng.chance(0.15)) flow.calls.push({ module: DEMO_MODULES.complianceLogging, where: 'nested' });
    } else if (roll < 0.9 || flow.type !== 'inboundcall') {
      flow.calls = [{ module: DEMO_MODULES.complianceLogging, where: rng.chance(0.5) ? 'start' : 'nested' }];
    } else {
      flow.calls = [{ module: DEMO_MODULES.fraudCheckVoice as DemoModuleName, where: 'start' }];
    }
  });

  for (const flow of rng.shuffled(flows).slice(0, Math.round(flowCount * largeFlowShare))) flow.large = true;
  for (const flow of flows) {
    if (flow.state === 'neverPublished') flow.publishedVersions = 0;
    else if (rng.chance(flow.large ? 0.03 : 0.15)) flow.publishedVersions = rng.int(2, 3);
    // Characters outside Latin-1 make V8 store a string at two bytes a character: keep them to small flows.
    flow.wideUnicode = flow.unicode && !flow.large && rng.chance(0.3);
  }
  return flows;
}
