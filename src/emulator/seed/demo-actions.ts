import type { InboundFlowType } from '../../genesys/flow-types.js';
import type { DemoRandom } from './demo-random.js';
import { DATA_ACTIONS, GREETINGS, LATIN1_UNICODE_COUNT, UNICODE_TEXTS } from './demo-names.js';
import { dq, sq, type YamlMap, type YamlValue } from './demo-yaml.js';

/** Builders for the Archy actions the demo flows are made of (shapes as in ../shared/samples). */

export interface ActionContext {
  rng: DemoRandom;
  type: InboundFlowType;
  /** Archy top-level key (`inboundCall` ...), used in absolute references. */
  key: string;
  queues: readonly string[];
  /** Texts may carry non-ASCII characters; `wideUnicode` allows characters outside Latin-1 too. */
  unicode: boolean;
  wideUnicode: boolean;
  /** Some texts carry a quoted `{{placeholder}}` (Terraform/Archy substitution) inside a string. */
  substitutions: boolean;
  /** Reusable tasks callable with callTask (refIds), filled as the flow is built. */
  reusableTaskRefs: string[];
  trackingNumber: number;
}

/** Declared variables of one container (flow, task or state), in declaration order. */
export class VariableBag {
  readonly declarations: YamlValue[] = [];
  private readonly names = new Map<string, string>();

  constructor(readonly scope: 'Flow' | 'Task' | 'State') {}

  /** The variable's full name (`Task.CustomerId`), declared on first use. */
  use(kind: 'string' | 'boolean' | 'integer' | 'queue', base: string, initial?: YamlMap): string {
    let name = this.names.get(base);
    if (name === undefined) {
      name = `${this.scope}.${base}`;
      this.names.set(base, name);
      const initialValue = initial ?? { noValue: true };
      this.declarations.push({ [`${kind}Variable`]: { name, initialValue } });
    }
    return name;
  }

  get isEmpty(): boolean {
    return this.declarations.length === 0;
  }
}

export function nextRefId(ctx: ActionContext, name: string): string {
  ctx.trackingNumber += ctx.rng.int(1, 9);
  return `${name}_${ctx.trackingNumber}`;
}

export function text(ctx: ActionContext): string {
  const { rng } = ctx;
  if (ctx.unicode && rng.chance(0.5)) {
    return rng.pick(UNICODE_TEXTS.slice(0, ctx.wideUnicode ? UNICODE_TEXTS.length : LATIN1_UNICODE_COUNT));
  }
  if (ctx.substitutions && rng.chance(0.4)) return `Welcome to {{brand_name}}, ${rng.pick(GREETINGS)}`;
  return rng.pick(GREETINGS);
}

function audio(ctx: ActionContext): YamlMap {
  const { rng } = ctx;
  if (rng.chance(0.6)) return { tts: text(ctx) };
  // Expressions with quotes and colons: the writer double-quotes them and escapes the inner quotes.
  const spoken = rng.pick(['Please hold: an agent will be with you shortly.', 'Your call is important to us', 'Main menu']);
  return { exp: `AudioPlaybackOptions(Append(ToAudioBlank(${rng.int(1, 5) * 100}), ToAudioTTS("${spoken}")), true)` };
}

const CONDITIONS: Record<InboundFlowType, readonly string[]> = {
  inboundcall: [
    'Call.Ani == "tel:+18005550100"',
    'DayOfWeek(GetCurrentDateTimeUtc()) >= 6',
    'IsNotSetOrEmpty(Call.CalledAddress)',
    'Contains(ToString(Call.Ani), "+44")',
    'ToString(Call.Language) == "en-us: default"',
  ],
  inboundchat: [
    'IsNotSetOrEmpty(Chat.CustomerName)',
    'Contains(Chat.Language, "fr")',
    'GetHour(GetCurrentDateTimeUtc()) < 8 or GetHour(GetCurrentDateTimeUtc()) > 20',
  ],
  inboundshortmessage: [
    'Contains(Lower(Message.Message.body), "stop")',
    'Message.Message.type == "Text"',
    'Count(Message.Message.media) > 0',
  ],
  inboundemail: [
    'Contains(Email.Message.subject, "#urgent")',
    'Contains(Lower(Email.Message.subject), "refund: ")',
    'IsNotSetOrEmpty(Email.Message.body)',
  ],
};

export function condition(ctx: ActionContext, bag: VariableBag): string {
  if (ctx.rng.chance(0.3)) return `IsSet(${bag.use('string', 'CustomerId')})`;
  return ctx.rng.pick(CONDITIONS[ctx.type]);
}

export const disconnect = (): YamlMap => ({ disconnect: { name: 'Disconnect' } });

export function playAudio(ctx: ActionContext): YamlMap {
  return { playAudio: { name: ctx.rng.pick(['Play Audio', 'Play Greeting', 'Disclaimer']), audio: audio(ctx) } };
}

export function transferToAcd(ctx: ActionContext): YamlMap {
  const { rng } = ctx;
  const props: YamlMap = {
    name: 'Transfer to ACD',
    targetQueue: { lit: { name: rng.pick(ctx.queues) } },
    priority: { lit: rng.pick([0, 0, 0, 5, 10]) },
    preferredAgents: { noValue: true },
    languageSkill: { noValue: true },
  };
  if (ctx.type === 'inboundcall') {
    props.preTransferAudio = { tts: 'Please wait while we transfer you.' };
    props.failureTransferAudio = { tts: "We're sorry: the transfer failed." };
    props.failureOutputs = { errorType: { noValue: true }, errorMessage: { noValue: true } };
    if (rng.chance(0.4)) props.outputs = { failure: { actions: [playAudio(ctx), disconnect()] } };
  }
  return { transferToAcd: props };
}

export function updateData(ctx: ActionContext, bag: VariableBag): YamlMap {
  const { rng } = ctx;
  const statements: YamlValue[] = [
    { string: { variable: bag.use('string', 'Segment'), value: { lit: rng.pick(['Retail', 'SMB', 'Enterprise: EMEA']) } } },
  ];
  if (rng.chance(0.5)) {
    statements.push({ integer: { variable: bag.use('integer', 'Attempts', { lit: 0 }), value: { exp: `${bag.scope}.Attempts + 1` } } });
  }
  if (rng.chance(0.3)) {
    statements.push({ boolean: { variable: bag.use('boolean', 'IsVip', { lit: false }), value: { lit: true } } });
  }
  return { updateData: { name: rng.pick(['Update Data', 'Set Segment']), statements } };
}

export function setParticipantData(ctx: ActionContext, bag: VariableBag): YamlMap {
  return {
    setParticipantData: {
      name: 'Set Participant Data',
      attributes: [
        { attribute: { name: { lit: 'Intent' }, value: { exp: `ToString(${bag.use('string', 'Segment')})` } } },
        { attribute: { name: { lit: 'Entry Flow' }, value: { lit: ctx.key } } },
      ],
    },
  };
}

export function getParticipantData(_ctx: ActionContext, bag: VariableBag): YamlMap {
  return {
    getParticipantData: {
      name: 'Get Participant Data',
      attributes: [{ attribute: { name: { lit: 'Context.CustomerId' }, variable: bag.use('string', 'CustomerId') } }],
    },
  };
}

export function callTask(ctx: ActionContext, refId: string): YamlMap {
  const ref = `/${ctx.key}/tasks/task[${refId}]`;
  return { callTask: { name: `Call ${refId.replace(/_\d+$/, '')}`, targetTaskRef: ctx.rng.chance(0.8) ? dq(ref) : ref } };
}

export function jumpToMenu(ctx: ActionContext, refId: string): YamlMap {
  return { jumpToMenu: { name: 'Jump to Menu', targetMenuRef: dq(`/${ctx.key}/menus/menu[${refId}]`) } };
}

export function sendResponse(ctx: ActionContext, bag: VariableBag): YamlMap {
  const body: YamlMap = ctx.rng.chance(0.5)
    ? { exp: `Trim(Append(\n    "Hello ", \n    ToDisplayString(${bag.use('string', 'CustomerName')}), \n    "! We'll be with you shortly."))` }
    : { lit: text(ctx) };
  return { sendResponse: { name: 'Send Response', messageBody: body } };
}

export function sendAutoReply(ctx: ActionContext): YamlMap {
  return {
    sendAutoReply: {
      name: 'Send Auto Reply',
      from: { noValue: true },
      replyTo: { noValue: true },
      cc: { noValue: true },
      bcc: { noValue: true },
      messageBody: ctx.rng.chance(0.5) ? { exp: sq('"Thanks for your email: we reply within 24 hours."') } : { lit: text(ctx) },
      replyMode: 'replyToSender',
    },
  };
}

export function findQueue(ctx: ActionContext, bag: VariableBag): YamlMap {
  return {
    findQueue: {
      name: 'Find Queue',
      findName: { lit: ctx.rng.pick(ctx.queues) },
      findResult: { var: bag.use('queue', 'TargetQueue') },
    },
  };
}

export function callData(ctx: ActionContext, bag: VariableBag, depth: number): YamlMap {
  const { rng } = ctx;
  const action = rng.pick(DATA_ACTIONS);
  const outVar = bag.use('string', action.output.charAt(0).toUpperCase() + action.output.slice(1));
  const props: YamlMap = {
    name: rng.pick(['Call Data Action', action.action]),
    timeout: { lit: { seconds: rng.pick([5, 10, 15]) } },
    category: {
      [action.category]: {
        dataAction: {
          [action.action]: {
            inputs: { [action.input]: { exp: inputExpression(ctx) } },
            successOutputs: { [action.output]: { var: outVar } },
            failureOutputs: {
              errorCode: { noValue: true },
              status: { noValue: true },
              correlationId: { noValue: true },
              entityId: { noValue: true },
              entityName: { noValue: true },
              userMessage: { noValue: true },
            },
          },
        },
      },
    },
  };
  const outputs: YamlMap = { success: { actions: nestedActions(ctx, bag, depth, 1, 2) } };
  if (rng.chance(0.7)) outputs.failure = { actions: nestedActions(ctx, bag, depth, 1, 2) };
  if (rng.chance(0.4)) outputs.timeout = { actions: nestedActions(ctx, bag, depth, 1, 1) };
  props.outputs = outputs;
  return { callData: props };
}

function inputExpression(ctx: ActionContext): string {
  switch (ctx.type) {
    case 'inboundcall': return ctx.rng.pick(['Call.Ani', 'Replace(Call.Ani, "tel:", "")']);
    case 'inboundchat': return 'Chat.CustomerName';
    case 'inboundemail': return 'Email.Message.from.email';
    case 'inboundshortmessage': return 'Message.Message.senderAddressInfo.addressNormalized';
  }
}

export function decision(ctx: ActionContext, bag: VariableBag, depth: number): YamlMap {
  const { rng } = ctx;
  const outputs: YamlMap = {};
  const branches = rng.pick(['both', 'both', 'yes', 'no'] as const);
  if (branches !== 'no') outputs.yes = { actions: nestedActions(ctx, bag, depth, 1, 3) };
  if (branches !== 'yes') outputs.no = { actions: nestedActions(ctx, bag, depth, 1, 2) };
  return {
    decision: {
      name: rng.pick(['Decision', 'Is VIP?', 'Weekend?', 'Known caller?', 'Check: open hours']),
      condition: { exp: condition(ctx, bag) },
      outputs,
    },
  };
}

export function dataTableLookup(ctx: ActionContext, bag: VariableBag, depth: number): YamlMap {
  return {
    dataTableLookup: {
      name: 'Data Table Lookup',
      lookupValue: { exp: inputExpression(ctx) },
      dataTable: {
        [ctx.rng.pick(['VIP Numbers', 'Holiday Table', 'Routing Overrides'])]: {
          foundOutputs: { Queue: { var: bag.use('string', 'OverrideQueue') } },
          failureOutputs: { errorType: { noValue: true }, errorMessage: { noValue: true } },
        },
      },
      outputs: {
        found: { actions: nestedActions(ctx, bag, depth, 1, 2) },
        notFound: { actions: nestedActions(ctx, bag, depth, 1, 1) },
      },
    },
  };
}

/** Simple actions that fit anywhere in a flow of ctx.type. */
export function simpleAction(ctx: ActionContext, bag: VariableBag): YamlMap {
  const { rng } = ctx;
  const roll = rng.int(0, 5);
  switch (ctx.type) {
    case 'inboundcall':
      return [playAudio(ctx), updateData(ctx, bag), setParticipantData(ctx, bag), getParticipantData(ctx, bag), playAudio(ctx), findQueue(ctx, bag)][roll] as YamlMap;
    case 'inboundshortmessage':
      return [sendResponse(ctx, bag), updateData(ctx, bag), setParticipantData(ctx, bag), getParticipantData(ctx, bag), sendResponse(ctx, bag), findQueue(ctx, bag)][roll] as YamlMap;
    case 'inboundemail':
      return [sendAutoReply(ctx), updateData(ctx, bag), setParticipantData(ctx, bag), findQueue(ctx, bag), sendAutoReply(ctx), updateData(ctx, bag)][roll] as YamlMap;
    case 'inboundchat':
      return [updateData(ctx, bag), setParticipantData(ctx, bag), getParticipantData(ctx, bag), findQueue(ctx, bag), updateData(ctx, bag), setParticipantData(ctx, bag)][roll] as YamlMap;
  }
}

/** One action of any kind; branching kinds only while `depth` allows nesting. */
export function anyAction(ctx: ActionContext, bag: VariableBag, depth: number): YamlMap {
  const { rng } = ctx;
  if (depth > 0) {
    const roll = rng.next();
    if (roll < 0.2) return decision(ctx, bag, depth - 1);
    if (roll < 0.3) return callData(ctx, bag, depth - 1);
    if (roll < 0.34) return dataTableLookup(ctx, bag, depth - 1);
  }
  if (ctx.reusableTaskRefs.length > 0 && rng.chance(0.12)) return callTask(ctx, rng.pick(ctx.reusableTaskRefs));
  return simpleAction(ctx, bag);
}

function nestedActions(ctx: ActionContext, bag: VariableBag, depth: number, min: number, max: number): YamlValue[] {
  const out: YamlValue[] = [];
  const count = ctx.rng.int(min, max);
  for (let i = 0; i < count; i++) out.push(anyAction(ctx, bag, depth));
  return out;
}

/** A list of `count` actions (branching ones nest at most `depth` levels). */
export function actionList(ctx: ActionContext, bag: VariableBag, count: number, depth: number): YamlMap[] {
  const out: YamlMap[] = [];
  for (let i = 0; i < count; i++) out.push(anyAction(ctx, bag, depth));
  return out;
}

/** How a conversation of ctx.type ends a startup task or state. */
export function closingAction(ctx: ActionContext): YamlMap {
  if (ctx.type === 'inboundcall' || ctx.type === 'inboundshortmessage') {
    return ctx.rng.chance(0.75) ? transferToAcd(ctx) : disconnect();
  }
  return transferToAcd(ctx);
}
