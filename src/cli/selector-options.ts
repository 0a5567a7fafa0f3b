import { InvalidArgumentError, type Command } from 'commander';
import { INBOUND_FLOW_TYPES, parseFlowType, type FlowType } from '../genesys/flow-types.js';

// The selector flags of `list` and `plan` (design.md "Command line"); what they select is src/rollout/select.ts.

const repeat = <T>(parse: (value: string) => T[]) => (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), ...parse(value)];

function parseTypes(value: string): FlowType[] {
  return value.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const type = parseFlowType(part);
    if (!type) throw new InvalidArgumentError(`'${part}' is not a Genesys flow type (e.g. inboundcall, inboundchat, inboundemail, inboundshortmessage)`);
    return type;
  });
}

function parseRegex(value: string): RegExp {
  try {
    return new RegExp(value, 'u');
  } catch (error) {
    throw new InvalidArgumentError(`not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Declares the selector options on a command (`list`, `plan`). */
export function addSelectorOptions(command: Command): Command {
  return command
    .option('--type <types>', `flow types, comma-separated or repeated (default: ${INBOUND_FLOW_TYPES.join(',')})`, repeat(parseTypes))
    .option('--name <glob>', 'flow name glob, * and ? wildcards, case-insensitive (repeatable)', repeat((v) => [v]))
    .option('--prefix <prefix>', "flow name prefix; same as --name '<prefix>*' (repeatable)", repeat((v) => [v]))
    .option('--name-regex <regex>', 'flow name regular expression (JavaScript syntax)', parseRegex)
    .option('--division <nameOrId>', 'division name or id (repeatable)', repeat((v) => [v]))
    .option('--include <idOrName>', 'also select this flow by id or exact name (repeatable)', repeat((v) => [v]))
    .option('--exclude <idOrName>', 'mark this flow EXCLUDED: it is listed but never changed (repeatable)', repeat((v) => [v]))
    .option('--calls <module>', 'only flows whose published version calls this module (repeatable)', repeat((v) => [v]))
    .option('--not-calls <module>', 'only flows that do not call this module (repeatable)', repeat((v) => [v]));
}

