import type { InboundFlowType } from '../../genesys/flow-types.js';

/** Fixed vocabulary of the demo org: divisions, flow families, people and clients, queues, texts. */

export const DEMO_DIVISIONS = ['Home', 'Sales', 'Support', 'Billing', 'Collections'] as const;
export type DemoDivision = (typeof DEMO_DIVISIONS)[number];

export interface FlowFamily {
  prefix: string;
  type: InboundFlowType;
  division: DemoDivision;
  /** Relative share of the flows left after the fixed Sales_Line_ family. */
  weight: number;
}

/** Exactly this many `Sales_Line_NNN` inbound call flows (fewer only when the org itself is smaller). */
export const SALES_LINE_COUNT = 40;
export const SALES_LINE: FlowFamily = { prefix: 'Sales_Line_', type: 'inboundcall', division: 'Sales', weight: 0 };

export const OTHER_FAMILIES: readonly FlowFamily[] = [
  { prefix: 'Support_Line_', type: 'inboundcall', division: 'Support', weight: 6 },
  { prefix: 'Support_Chat_', type: 'inboundchat', division: 'Support', weight: 4 },
  { prefix: 'Support_Message_', type: 'inboundshortmessage', division: 'Support', weight: 4 },
  { prefix: 'Support_Email_', type: 'inboundemail', division: 'Support', weight: 3 },
  { prefix: 'Billing_Line_', type: 'inboundcall', division: 'Billing', weight: 5 },
  { prefix: 'Billing_Email_', type: 'inboundemail', division: 'Billing', weight: 3 },
  { prefix: 'Billing_Message_', type: 'inboundshortmessage', division: 'Billing', weight: 2 },
  { prefix: 'Collections_Line_', type: 'inboundcall', division: 'Collections', weight: 3 },
  { prefix: 'Collections_Message_', type: 'inboundshortmessage', division: 'Collections', weight: 2 },
  { prefix: 'Sales_Chat_', type: 'inboundchat', division: 'Sales', weight: 3 },
  { prefix: 'Sales_Message_', type: 'inboundshortmessage', division: 'Sales', weight: 2 },
  { prefix: 'Reception_Line_', type: 'inboundcall', division: 'Home', weight: 2 },
  { prefix: 'Web_Chat_', type: 'inboundchat', division: 'Home', weight: 1 },
];

export interface DemoUser {
  kind: 'user' | 'client';
  name: string;
}

/** People who check flows out in Architect. */
export const DEMO_USERS: readonly string[] = ['Jane Doe', 'Raj Patel', 'Zoë Müller', "Liam O'Brien", 'Ana Souza'];
/** OAuth clients that hold locks (pipelines and other tools). */
export const DEMO_CLIENTS: readonly string[] = ['CX as Code pipeline', 'Terraform Deployer', 'Archy CI'];

export const QUEUES: Record<DemoDivision, readonly string[]> = {
  Home: ['General Enquiries', 'Reception'],
  Sales: ['Sales - New Business', 'Sales - Renewals', 'Sales Priority'],
  Support: ['Support Tier 1', 'Support Tier 2', 'Technical Support'],
  Billing: ['Billing', 'Billing Disputes', 'Payments'],
  Collections: ['Collections', 'Collections - Early Stage'],
};

export const GREETINGS: readonly string[] = [
  'Thank you for calling. Please listen carefully as our options have changed.',
  'Welcome! Your call may be recorded for quality and training purposes.',
  'Hello, and thanks for getting in touch.',
  "Thanks for calling: we're here to help.",
  'Hi, welcome to our customer line.',
];

/** Texts with non-ASCII characters; the first ones stay in Latin-1 (cheap one-byte strings in V8). */
export const UNICODE_TEXTS: readonly string[] = [
  'Bienvenue chez nous, merci de votre appel. Café, crème et reçus: appuyez sur 1.',
  'Grüß Gott! Für Rückfragen drücken Sie bitte die Zwei.',
  'Gracias por llamar. Para español, oprima el número uno. ¿Necesita ayuda?',
  'Olá! Obrigado pela sua ligação — aguarde, por favor.',
  'お電話ありがとうございます。担当者におつなぎします。',
  'Ціни в €: натисніть 1 ✅',
];
export const LATIN1_UNICODE_COUNT = 3;

export const MENU_CHOICE_NAMES: readonly string[] = [
  'New Orders', 'Existing Orders', 'Account Balance', 'Make a Payment', 'Technical Help', 'Speak to an Agent',
  'Opening Hours', 'Store Locator', 'Returns', 'Upgrade Plan', 'Cancel Service', 'Report a Fault',
];

export const TASK_NAMES: readonly string[] = [
  'Lookup Customer', 'Check Hours', 'Verify Account', 'Set Priority', 'Route By Language', 'Callback Offer',
  'Collect Account Number', 'Play Disclaimer', 'Check Balance', 'Queue Overflow', 'VIP Check', 'Survey Opt In',
];

export const DATA_ACTIONS: readonly { category: string; action: string; input: string; output: string }[] = [
  { category: 'Genesys Cloud Data Actions', action: 'Get Customer By Phone', input: 'phoneNumber', output: 'customerId' },
  { category: 'CRM', action: 'Lookup Account Tier', input: 'accountId', output: 'tier' },
  { category: 'Billing API', action: 'Get Open Balance', input: 'accountNumber', output: 'balance' },
  { category: 'Web Services Data Actions', action: 'Check Order Status', input: 'orderNumber', output: 'status' },
];
