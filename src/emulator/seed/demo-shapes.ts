import { archyKeyForType, type InboundFlowType } from '../../genesys/flow-types.js';
import {
  actionList, closingAction, disconnect, jumpToMenu, callTask, nextRefId, playAudio, text,
  transferToAcd, updateData, VariableBag, type ActionContext,
} from './demo-actions.js';
import { callCommonModule, DEMO_MODULES, type DemoModuleName } from './demo-modules.js';
import { MENU_CHOICE_NAMES, QUEUES, TASK_NAMES, type DemoDivision } from './demo-names.js';
import { DemoRandom } from './demo-random.js';
import { Commented, countLines, dq, type YamlLayout, type YamlMap, type YamlValue } from './demo-yaml.js';

/** Whole Archy flow documents of the four inbound types, in the shapes real exports have. */

export type StartupShape = 'task' | 'menu' | 'taskThenMenu' | 'state';

export interface ModuleCallPlan {
  module: DemoModuleName;
  /** `start`: first action of the startup task/state; `nested`: inside a branch or a menu choice's task. */
  where: 'start' | 'nested';
}

export interface FlowShapePlan {
  type: InboundFlowType;
  name: string;
  division: DemoDivision;
  startup: StartupShape;
  calls: ModuleCallPlan[];
  /** The startup task/state ends with transferToAcd. */
  transferInStartup: boolean;
  /** Grow the flow to at least this many lines (0: natural size). */
  minLines: number;
  layout: YamlLayout;
  comments: boolean;
  unicode: boolean;
  wideUnicode: boolean;
  substitutions: boolean;
  contentSeed: number;
}

export interface BuiltFlow {
  tree: YamlMap;
  /** The flow body (value of the top-level key), for small edits between versions. */
  body: YamlMap;
  header: string[];
  /** Action lists holding a pre-existing module call, with the call item (older versions lack the call). */
  callSites: { list: YamlValue[]; item: YamlValue }[];
}

const FLOW_DESCRIPTIONS = [
  'Main entry point for the line.',
  'Routes customers by intent: see the routing sheet.',
  'Owned by Contact Center Ops (#cc-ops).',
  '',
];

function moduleCallFor(module: DemoModuleName, ctx: ActionContext, bag: VariableBag, flowName: string): YamlMap {
  const { rng } = ctx;
  switch (module) {
    case DEMO_MODULES.globalExceptionHandler: {
      if (rng.chance(0.2)) return callCommonModule(module, {}, {});
      const inputs: YamlMap = { 'Common.flowName': { lit: flowName } };
      if (rng.chance(0.4)) inputs['Common.severity'] = { lit: 'warning' };
      const outputs: YamlMap = rng.chance(0.7) ? { 'Common.handled': { var: bag.use('boolean', 'ErrorHandled') } } : {};
      return callCommonModule(module, inputs, outputs, rng.pick(['Call Common Module', 'Global exception handling']));
    }
    case DEMO_MODULES.complianceLogging: {
      const reason: YamlMap = ctx.type === 'inboundcall' ? { exp: 'Append("Inbound call: ", Call.Ani)' } : { lit: `Entry: ${flowName}` };
      const inputs: YamlMap = { 'Common.reason': reason };
      if (rng.chance(0.5)) inputs['Common.retentionDays'] = { lit: 90 };
      return callCommonModule(module, inputs, { 'Common.auditId': { var: bag.use('string', 'AuditId') } }, 'Compliance log');
    }
    case DEMO_MODULES.fraudCheckVoice:
      return callCommonModule(module, { 'Common.ani': { exp: 'Call.Ani' } }, {
        'Common.isFraud': { var: bag.use('boolean', 'IsFraud') },
      }, 'Fraud check');
    default:
      throw new Error(`the demo never calls ${module}`);
  }
}

function supportedLanguages(type: InboundFlowType): YamlMap {
  const en: YamlMap = { defaultLanguageSkill: { noValue: true } };
  if (type === 'inboundcall') en.textToSpeech = { defaultEngine: { voice: 'Jill' } };
  return { 'en-us': en };
}

const CALL_SETTINGS: YamlMap = {
  settingsActionDefaults: {
    playAudioOnSilence: { timeout: { lit: { seconds: 40 } } },
    detectSilence: { timeout: { lit: { seconds: 40 } } },
    callData: { processingPrompt: { noValue: true } },
    collectInput: { noEntryTimeout: { lit: { seconds: 5 } } },
    transferToFlowSecure: { connectTimeout: { lit: { seconds: 15 } } },
  },
  settingsMenu: {
    extensionDialingMaxDelay: { lit: { seconds: 1 } },
    listenForExtensionDialing: { lit: true },
    menuSelectionTimeout: { lit: { seconds: 10 } },
    repeatCount: { lit: 3 },
  },
  settingsPrompts: { ensureAudioInPrompts: false, promptMediaToValidate: [{ mediaType: 'audio' }, { mediaType: 'tts' }] },
};

class FlowBuilder {
  readonly ctx: ActionContext;
  readonly flowBag = new VariableBag('Flow');
  readonly tasks: YamlValue[] = [];
  readonly menus: YamlValue[] = [];
  readonly callSites: BuiltFlow['callSites'] = [];
  private readonly usedTaskNames = new Set<string>();

  constructor(readonly plan: FlowShapePlan) {
    const key = archyKeyForType(plan.type) as string;
    this.ctx = {
      rng: new DemoRandom(plan.contentSeed),
      type: plan.type,
      key,
      queues: QUEUES[plan.division],
      unicode: plan.unicode,
      wideUnicode: plan.wideUnicode,
      substitutions: plan.substitutions,
      reusableTaskRefs: [],
      trackingNumber: 0,
    };
  }

  get rng(): DemoRandom {
    return this.ctx.rng;
  }

  taskName(): string {
    let name = this.rng.pick(TASK_NAMES);
    for (let n = 2; this.usedTaskNames.has(name); n++) name = `${this.rng.pick(TASK_NAMES)} ${n}`;
    this.usedTaskNames.add(name);
    return name;
  }

  /** A reusable task (called with callTask); returns its refId and node. */
  reusableTask(depth: number, minActions: number, maxActions: number): { refId: string; actions: YamlValue[]; node: YamlMap } {
    const name = this.taskName();
    const refId = nextRefId(this.ctx, name);
    const bag = new VariableBag('Task');
    const actions: YamlValue[] = actionList(this.ctx, bag, this.rng.int(minActions, maxActions), depth);
    const withPath = this.rng.chance(0.3);
    actions.push(withPath ? { endTask: { name: 'End Task', outputPath: { name: 'default' } } } : this.endOfReusableTask());
    const task: YamlMap = { name, refId };
    if (!bag.isEmpty) task.variables = bag.declarations;
    task.actions = actions;
    if (withPath) task.outputPaths = [{ outputPath: { name: 'Success' } }];
    return { refId, actions, node: { task } };
  }

  private endOfReusableTask(): YamlMap {
    return { endTask: { name: 'End Task' } };
  }

  /** Put the planned module calls into `actions` (start: first; nested: inside a decision before the end). */
  placeCalls(actions: YamlValue[], bag: VariableBag, where: 'start' | 'nested', all = false): void {
    for (const call of this.plan.calls) {
      if (call.where !== where && !all) continue;
      const item = moduleCallFor(call.module, this.ctx, bag, this.plan.name);
      if (where === 'start') {
        actions.unshift(item);
        this.callSites.push({ list: actions, item });
      } else {
        const inner: YamlValue[] = [item];
        this.callSites.push({ list: inner, item });
        const branch: YamlMap = {
          decision: {
            name: 'Audit required?',
            condition: { exp: `IsSet(${bag.use('string', 'Segment')})` },
            outputs: { yes: { actions: inner }, no: { actions: [updateData(this.ctx, bag)] } },
          },
        };
        actions.splice(Math.max(0, actions.length - 1), 0, branch);
      }
    }
  }

  startupActions(bag: VariableBag, extraRefs: string[]): YamlValue[] {
    const { ctx, rng } = this;
    const actions: YamlValue[] = [];
    if (ctx.type === 'inboundcall' && rng.chance(0.5)) actions.push(playAudio(ctx));
    actions.push(...actionList(ctx, bag, rng.int(1, 4), 2));
    for (const ref of extraRefs) actions.push(callTask(ctx, ref));
    return actions;
  }

  menu(name: string, choiceCount: number, extraRefs: string[]): { refId: string; node: YamlMap; inlineTasks: YamlValue[][] } {
    const { ctx, rng } = this;
    const refId = nextRefId(ctx, name);
    const choices: YamlValue[] = [];
    const inlineTasks: YamlValue[][] = [];
    const digits = rng.shuffled(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#']);
    const choiceNames = rng.shuffled(MENU_CHOICE_NAMES);
    for (let i = 0; i < choiceCount; i++) {
      const dtmf = `digit_${digits[i % digits.length] as string}`;
      const choiceName = choiceNames[i % choiceNames.length] as string;
      const base = { name: choiceName, dtmf: dtmf.endsWith('#') ? dq(dtmf) : dtmf, globalDtmf: false, globalSpeechRecTerms: false };
      const roll = rng.next();
      if (i === 0 || roll < 0.55 || extraRefs.length > 0) {
        const actions: YamlValue[] = [];
        const ref = extraRefs.shift();
        if (ref !== undefined) actions.push(callTask(ctx, ref));
        actions.push(...actionList(ctx, this.flowBag, rng.int(0, 2), 1));
        actions.push(rng.chance(0.6) ? transferToAcd(ctx) : disconnect());
        inlineTasks.push(actions);
        const choice: YamlMap = { ...base, task: { actions } };
        if (rng.chance(0.3)) choice.speechRecTerms = { 'en-us': { terms: [choiceName, choiceName.split(' ')[0] as string] } };
        choices.push({ menuTask: choice });
      } else if (roll < 0.85) {
        choices.push({
          menuTransferToAcd: {
            ...base,
            targetQueue: { lit: { name: rng.pick(ctx.queues) } },
            preTransferAudio: { tts: 'Transferring you now.' },
            failureTransferAudio: { tts: 'Sorry, that did not work.' },
            priority: { lit: 0 },
            preferredAgents: { noValue: true },
            languageSkill: { noValue: true },
            failureOutputs: { errorType: { noValue: true }, errorMessage: { noValue: true } },
          },
        });
      } else {
        choices.push({ menuDisconnect: base });
      }
    }
    const menu: YamlMap = { name, refId, audio: rng.chance(0.5) ? { tts: text(ctx) } : { exp: `AudioPlaybackOptions(ToAudioTTS("${name}: press a key"), true)` } };
    if (rng.chance(0.5)) {
      menu.settingsMenu = {
        extensionDialingMaxDelay: { noValue: true },
        listenForExtensionDialing: { noValue: true },
        menuSelectionTimeout: { noValue: true },
        repeatCount: { noValue: true },
      };
    }
    menu.choices = choices;
    return { refId, node: { menu }, inlineTasks };
  }

  /** Reusable tasks chained by callTask (each calls the next) until the flow reaches `minLines`. */
  growChain(firstRefId: string, linesSoFar: number): void {
    let lines = linesSoFar;
    let previous: YamlValue[] | undefined;
    let refId = firstRefId;
    while (lines < this.plan.minLines) {
      const { actions, node } = this.chainTask(refId);
      if (previous) {
        const link = callTask(this.ctx, refId);
        previous.splice(previous.length - 1, 0, link);
        lines += countLines([link]);
      }
      this.tasks.push(node);
      lines += countLines([node]);
      previous = actions;
      refId = nextRefId(this.ctx, this.taskName());
    }
  }

  private chainTask(refId: string): { actions: YamlValue[]; node: YamlMap } {
    const bag = new VariableBag('Task');
    const actions: YamlValue[] = actionList(this.ctx, bag, this.rng.int(3, 7), this.rng.int(1, 2));
    actions.push({ endTask: { name: 'End Task' } });
    const name = refId.replace(/_\d+$/, '');
    const task: YamlMap = { name, refId };
    if (!bag.isEmpty) task.variables = bag.declarations;
    task.actions = actions;
    return { actions, node: { task } };
  }
}

function addComments(body: YamlMap, startupActions: YamlValue[] | undefined, rng: DemoRandom): void {
  const ref = body.startUpRef;
  if (ref !== undefined) body.startUpRef = new Commented(ref, undefined, 'entry point: keep the refId stable');
  if (startupActions && startupActions.length > 0 && rng.chance(0.7)) {
    startupActions[0] = new Commented(startupActions[0] as YamlValue, 'First thing every contact hits');
  }
  if (body.settingsErrorHandling !== undefined) {
    body.settingsErrorHandling = new Commented(body.settingsErrorHandling, 'Reviewed by the CX team, see ticket #4711');
  }
}

export function buildFlow(plan: FlowShapePlan): BuiltFlow {
  const b = new FlowBuilder(plan);
  const { ctx, rng } = b;
  const key = ctx.key;
  const body: YamlMap = { name: plan.name, description: rng.pick(FLOW_DESCRIPTIONS), division: plan.division };
  const isCall = plan.type === 'inboundcall';
  const large = plan.minLines > 0;

  // Reusable tasks first, so that startup actions can call them.
  const reusable = large ? 0 : rng.int(0, isCall ? 3 : 2);
  const calledRefs: string[] = [];
  for (let i = 0; i < reusable; i++) {
    const t = b.reusableTask(1, 1, 4);
    b.tasks.push(t.node);
    ctx.reusableTaskRefs.push(t.refId);
    if (rng.chance(0.7)) calledRefs.push(t.refId);
  }
  const chainRef = large ? nextRefId(ctx, b.taskName()) : undefined;
  if (chainRef !== undefined) calledRefs.push(chainRef);

  let startupActions: YamlValue[] | undefined;
  let startUpRef: string;
  const startupBag = new VariableBag(plan.startup === 'state' ? 'State' : 'Task');

  if (plan.startup === 'menu') {
    const main = b.menu('Main Menu', large ? rng.int(8, 12) : rng.int(2, 6), calledRefs.slice());
    b.menus.push(main.node);
    if (rng.chance(0.3)) b.menus.push(b.menu(rng.pick(['Billing Menu', 'Account Menu', 'Language Menu']), rng.int(2, 4), []).node);
    startUpRef = `/${key}/menus/menu[${main.refId}]`;
    // A menu flow's pre-existing calls live in its first choice's inline task (it has no startup task).
    const first = main.inlineTasks[0] as YamlValue[];
    b.placeCalls(first, b.flowBag, 'start', true);
  } else {
    const name = plan.startup === 'state' ? 'Initial State' : rng.pick(['Start', 'Startup Task', 'Initial Task']);
    const refId = nextRefId(ctx, name);
    const actions = b.startupActions(startupBag, calledRefs);
    if (plan.startup === 'taskThenMenu') {
      const main = b.menu('Main Menu', large ? rng.int(8, 12) : rng.int(2, 5), []);
      b.menus.push(main.node);
      actions.push(jumpToMenu(ctx, main.refId));
    } else {
      actions.push(plan.transferInStartup ? transferToAcd(ctx) : closingAction(ctx));
    }
    b.placeCalls(actions, startupBag, 'nested');
    b.placeCalls(actions, startupBag, 'start');
    startupActions = actions;
    const container: YamlMap = { name, refId };
    if (!startupBag.isEmpty) container.variables = startupBag.declarations;
    container.actions = actions;
    if (plan.startup === 'state') {
      startUpRef = `/${key}/states/state[${refId}]`;
      body.states = [{ state: container }];
    } else {
      startUpRef = `/${key}/tasks/task[${refId}]`;
      b.tasks.unshift({ task: container });
    }
  }

  body.startUpRef = rng.chance(0.85) ? dq(startUpRef) : startUpRef;
  body.defaultLanguage = 'en-us';
  body.supportedLanguages = supportedLanguages(plan.type);
  if (isCall) body.initialGreeting = rng.chance(0.7) ? { tts: text(ctx) } : { exp: 'AudioPlaybackOptions(ToAudioBlank(100), true)' };
  if (rng.chance(0.4)) b.flowBag.use('string', 'BrandName', { lit: 'Acme' });
  if (!b.flowBag.isEmpty) body.variables = b.flowBag.declarations;
  if (isCall && rng.chance(0.6)) Object.assign(body, structuredClone(CALL_SETTINGS));
  if (plan.type === 'inboundemail') body.settingsInboundEmailHandling = { emailHandling: { disconnect: { none: true } } };
  body.settingsErrorHandling = plan.type === 'inboundchat'
    ? { errorHandling: { queue: { targetQueue: { lit: { name: rng.pick(ctx.queues) } } } } }
    : { errorHandling: { disconnect: { none: true } }, ...(isCall ? { preHandlingAudio: { tts: 'Sorry, an error occurred. Please try your call again.' } } : {}) };
  if (b.menus.length > 0) body.menus = b.menus;
  // States come after the settings, as in exports; re-insert them in order.
  if (body.states !== undefined) {
    const states = body.states;
    delete body.states;
    body.states = states;
  }
  if (b.tasks.length > 0 || chainRef !== undefined) body.tasks = b.tasks;

  if (plan.comments) addComments(body, startupActions, rng);
  const header = plan.comments ? [`${plan.name}: ${rng.pick(['exported with Archy', 'managed in Git', 'do not edit by hand'])}`] : [];
  const tree: YamlMap = { [key]: body };
  if (chainRef !== undefined) b.growChain(chainRef, countLines(tree) + header.length);
  return { tree, body, header, callSites: b.callSites };
}
