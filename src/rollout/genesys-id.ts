/** A Genesys Cloud object id: a GUID. Anything else from a plan file or a server is refused before it names a file. */
const GENESYS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGenesysId(value: unknown): value is string {
  return typeof value === 'string' && GENESYS_ID.test(value);
}

/** Throws when `id` could not be a Genesys id (a path like `../../x` never reaches the file system). */
export function assertGenesysId(id: unknown, what: string): asserts id is string {
  if (!isGenesysId(id)) throw new Error(`${what} ${JSON.stringify(String(id)).slice(0, 80)} is not a Genesys id`);
}
