import { Document, isAlias, isMap, isScalar, isSeq, Pair, parse, parseDocument, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

/**
 * What an export job answers for a stored version when the emulator regenerates exports (genesys-api.md §15 item 1):
 * Genesys Cloud stores a flow as configuration and writes NEW YAML on every export, so the YAML that comes back is
 * not the YAML that went in. This is a pure function of the stored text (same text -> same bytes):
 *
 * - tracking ids: a counter starting at {@link FIRST_TRACKING_ID} numbers, in document order (pre-order, the object
 *   before what it contains), every item of a `menus`, `tasks`, `states`, `actions`, `startUpTaskActions` or
 *   `choices` list that is a single-key map (`- menu: {...}`, `- playAudio: {...}`), nested ones included, and any
 *   other map that carries a `refId`. Adding an object earlier in the document moves every later tracking id;
 * - every `refId` becomes `<name>_<trackingId>` (the object's own `name`; its old refId when it has no name);
 * - every string under a key ending in `Ref` that is an Archy reference to a menu, task or state of the flow
 *   (`./menus/menu[x]`, `../tasks/task[x]`, `/<topKey>/states/state[x]`) is rewritten to the absolute form naming the
 *   renamed object, `/<topKey>/menus/menu[Main Menu_10]`; a menu's `./choices/<type>[x]` (defaultChildMenuRef) keeps
 *   its relative form, as public exports show, with the choice's new refId. A reference that names nothing stays;
 * - fixed layout: comments, anchors, flow style and the source's quoting are dropped; 2-space indentation, LF, no
 *   BOM, final newline, no folding; in every map `name` first, then `refId`, then the other keys in their order;
 *   empty values as `key:`; references double-quoted (as Archy exports write them); strings that YAML 1.1 or 1.2 would
 *   read as anything but that string (`yes`, `No`, `~`, `5`, `1:30`, `2001-12-14`, ...) double-quoted.
 *
 * Text that does not parse or holds no document (it could not have been imported) is returned unchanged. `{{x}}` placeholders are masked
 * while parsing exactly as the import reads them (parse.ts), so what the import accepted regenerates.
 */
export function regenerateExport(storedText: string): string {
  const originals: string[] = [];
  const masked = storedText.replace(PLACEHOLDER, (match) => `__FLPH${originals.push(match) - 1}__`);
  const unmask = (s: string): string => (originals.length === 0 ? s : s.replace(MASK, (m, i: string) => originals[Number(i)] ?? m));

  let source: Document.Parsed;
  try {
    source = parseDocument(masked, { version: '1.2', schema: 'core', uniqueKeys: true, intAsBigInt: true });
  } catch {
    return storedText;
  }
  // Unparsable or empty: nothing an import could have accepted.
  if (source.errors.length > 0 || source.contents === null) return storedText;

  let contents: Node | null;
  try {
    contents = rebuild(source.contents, source, unmask, 0);
  } catch (error) {
    if (error instanceof NotRegenerable) return storedText;
    throw error;
  }
  if (isMap(contents) && contents.items.length === 1) {
    const top = contents.items[0] as Pair<Node, Node | null>;
    if (isScalar(top.key) && typeof top.key.value === 'string' && isMap(top.value)) renumber(top.key.value, top.value);
  }
  quoteAmbiguous(contents);

  const out = new Document(null, { version: '1.2' });
  out.contents = contents;
  const text = out.toString({
    indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0, nullStr: '', simpleKeys: false,
    singleQuote: false, blockQuote: false, doubleQuotedAsJSON: true,
  });
  // An empty sequence item comes out as `- `. No scalar spans lines here (no block scalars, no folding, line breaks
  // in strings are `\n` escapes), so a line's trailing spaces are never part of a value.
  return text.replace(/ +$/gm, '');
}

/** Public exports start numbering at 10 (`Main Menu_10`, `Initial State_10`). */
export const FIRST_TRACKING_ID = 10;

const PLACEHOLDER = /\{\{[^{}\n]*\}\}/g;
const MASK = /__FLPH(\d+)__/g;
const MAX_DEPTH = 1_000;
const MAX_ALIAS_EXPANSIONS = 10_000;

/** Lists whose single-key items are tracked objects. */
const TRACKED_LISTS = new Set(['menus', 'tasks', 'states', 'actions', 'startUpTaskActions', 'choices']);
/** Top-level lists whose items references may name: list key -> item type. */
const REFERENCED_LISTS = new Map([['menus', 'menu'], ['tasks', 'task'], ['states', 'state']]);

class NotRegenerable extends Error {}

/**
 * A fresh node tree with the same meaning: no comments, anchors, tags or styles; aliases expanded; placeholders
 * restored; numbers keep their written form (`1.0`, `0x1F`, big integers) so their type and value survive.
 */
function rebuild(node: unknown, doc: Document.Parsed, unmask: (s: string) => string, depth: number, budget = { aliases: 0 }): Node | null {
  if (depth > MAX_DEPTH) throw new NotRegenerable('too deep');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    budget.aliases += 1;
    if (budget.aliases > MAX_ALIAS_EXPANSIONS) throw new NotRegenerable('too many aliases');
    return rebuild(node.resolve(doc), doc, unmask, depth + 1, budget);
  }
  if (isScalar(node)) {
    const value = node.value;
    const copy = new Scalar(typeof value === 'string' ? unmask(value) : value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (node.format) copy.format = node.format;
      if (node.minFractionDigits) copy.minFractionDigits = node.minFractionDigits;
    }
    return copy;
  }
  if (isSeq(node)) {
    const copy = new YAMLSeq();
    copy.items = node.items.map((item) => rebuild(item, doc, unmask, depth + 1, budget));
    return copy;
  }
  if (isMap(node)) {
    const pairs = node.items.map((pair) => new Pair(rebuild(pair.key, doc, unmask, depth + 1, budget), rebuild(pair.value, doc, unmask, depth + 1, budget)));
    const rank = (pair: Pair): number => (keyOf(pair) === 'name' ? 0 : keyOf(pair) === 'refId' ? 1 : 2);
    const copy = new YAMLMap();
    copy.items = pairs.map((pair, index) => ({ pair, index })).sort((a, b) => rank(a.pair) - rank(b.pair) || a.index - b.index).map((e) => e.pair);
    return copy;
  }
  throw new NotRegenerable('unknown node');
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

function get(map: YAMLMap, key: string): Node | null | undefined {
  const pair = map.items.find((p) => keyOf(p as Pair) === key) as Pair<Node, Node | null> | undefined;
  return pair?.value;
}

function stringAt(map: YAMLMap, key: string): string | undefined {
  const value = get(map, key);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/** The single pair of a `- <type>: {...}` list item, when the item has that shape. */
function singleKeyItem(item: unknown): { type: string; body: Node | null } | undefined {
  if (!isMap(item) || item.items.length !== 1) return undefined;
  const pair = item.items[0] as Pair<Node, Node | null>;
  const type = keyOf(pair);
  return type === undefined ? undefined : { type, body: pair.value };
}

/** Assigns tracking ids, renames refIds and rewrites the references that name renamed objects. */
function renumber(topKey: string, body: YAMLMap): void {
  let next = FIRST_TRACKING_ID;
  /** `menus/menu[old]` -> new refId, for the lists directly under the flow body. */
  const topLevel = new Map<string, string>();
  /** Per menu: `<choiceType>[old]` -> new refId. */
  const choices = new Map<YAMLMap, Map<string, string>>();
  const renamed = new Set<YAMLMap>();

  const rename = (object: YAMLMap, trackingId: number): string | undefined => {
    const old = stringAt(object, 'refId');
    if (old === undefined || renamed.has(object)) return undefined;
    renamed.add(object);
    const fresh = `${stringAt(object, 'name') ?? old}_${trackingId}`;
    object.set('refId', new Scalar(fresh));
    return fresh;
  };

  const walk = (node: Node | null | undefined, listKey: string | undefined, parentIsBody: boolean, menu: YAMLMap | undefined): void => {
    if (isSeq(node)) {
      for (const item of node.items) {
        const tracked = listKey !== undefined && TRACKED_LISTS.has(listKey) ? singleKeyItem(item) : undefined;
        if (!tracked) {
          walk(item as Node | null, undefined, false, menu);
          continue;
        }
        const trackingId = next++;
        const object = isMap(tracked.body) ? tracked.body : undefined;
        if (!object) continue;
        const old = stringAt(object, 'refId');
        const fresh = rename(object, trackingId);
        if (fresh !== undefined && old !== undefined) {
          const itemType = listKey === undefined ? undefined : REFERENCED_LISTS.get(listKey);
          if (parentIsBody && itemType === tracked.type) {
            const key = `${listKey}/${itemType}[${old}]`;
            if (!topLevel.has(key)) topLevel.set(key, fresh);
          }
          if (listKey === 'choices' && menu) {
            const own = choices.get(menu) ?? new Map<string, string>();
            if (!own.has(`${tracked.type}[${old}]`)) own.set(`${tracked.type}[${old}]`, fresh);
            choices.set(menu, own);
          }
        }
        walkMap(object, tracked.type === 'menu' && listKey === 'menus' ? object : menu, false);
      }
    } else if (isMap(node)) {
      if (stringAt(node, 'refId') !== undefined && !renamed.has(node)) rename(node, next++);
      walkMap(node, menu, false);
    }
  };
  const walkMap = (map: YAMLMap, menu: YAMLMap | undefined, isBody: boolean): void => {
    for (const pair of map.items as Pair<Node, Node | null>[]) walk(pair.value, keyOf(pair), isBody, menu);
  };
  if (stringAt(body, 'refId') !== undefined) rename(body, next++);
  walkMap(body, undefined, true);

  const absolute = new RegExp(`^(?:(?:\\.\\.?/)+|/${escapeRegExp(topKey)}/)(menus|tasks|states)/(menu|task|state)\\[(.*)\\]$`);
  const relativeChoice = /^\.\/choices\/([A-Za-z][A-Za-z0-9]*)\[(.*)\]$/;
  const rewrite = (node: Node | null | undefined, menu: YAMLMap | undefined): void => {
    if (isSeq(node)) {
      for (const item of node.items) {
        const tracked = singleKeyItem(item);
        const inner = tracked && tracked.type === 'menu' && isMap(tracked.body) && choices.has(tracked.body) ? tracked.body : undefined;
        rewrite(item as Node | null, inner ?? menu);
      }
      return;
    }
    if (!isMap(node)) return;
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const key = keyOf(pair);
      const value = pair.value;
      if (key !== undefined && key.endsWith('Ref') && isScalar(value) && typeof value.value === 'string') {
        const ref = value.value;
        const top = absolute.exec(ref);
        const choice = relativeChoice.exec(ref);
        if (top && REFERENCED_LISTS.get(top[1] as string) === top[2]) {
          const fresh = topLevel.get(`${top[1]}/${top[2]}[${top[3]}]`);
          if (fresh !== undefined) pair.value = quoted(`/${topKey}/${top[1]}/${top[2]}[${fresh}]`);
        } else if (choice && menu) {
          const fresh = choices.get(menu)?.get(`${choice[1]}[${choice[2]}]`);
          if (fresh !== undefined) pair.value = quoted(`./choices/${choice[1]}[${fresh}]`);
        }
        continue;
      }
      rewrite(value, menu);
    }
  };
  rewrite(body, undefined);
}

function quoted(text: string): Scalar {
  const scalar = new Scalar(text);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** YAML 1.1 booleans and nulls in any case (`yes`, `No`, `ON`, `~`, ...): Archy exports quote `"yes"`/`"no"`. */
const BOOL_OR_NULL = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
/** Only such strings can be YAML 1.1 numbers, sexagesimals or timestamps. */
const NUMBER_LIKE = /^[-+]?[.0-9][0-9A-Za-z_:.+\- ]*$/;

/** Double-quotes every string (value or key) that a YAML 1.1 or 1.2 reader would not read back as that string. */
function quoteAmbiguous(node: Node | null): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string' && node.type === undefined && rereadsAsOther(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) quoteAmbiguous(item as Node | null);
    return;
  }
  if (isMap(node)) {
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      quoteAmbiguous(pair.key);
      quoteAmbiguous(pair.value);
    }
  }
}

function rereadsAsOther(text: string): boolean {
  if (BOOL_OR_NULL.test(text)) return true;
  if (!NUMBER_LIKE.test(text)) return false;
  for (const version of ['1.1', '1.2'] as const) {
    try {
      if (parse(text, { version }) !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}
