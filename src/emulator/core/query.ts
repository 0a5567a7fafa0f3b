import { invalidParam, missingParam } from './errors.js';

/**
 * Query spellings of the real API: array parameters arrive comma-joined from the SDKs (`type=a,b`) and as
 * repeated keys from Terraform (`type=a&type=b`); both are accepted. `name` is never split.
 */
export function arrayParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function stringParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

export function requiredParam(query: URLSearchParams, name: string): string {
  const value = stringParam(query, name);
  if (value === undefined) throw missingParam(name);
  return value;
}

export function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidParam(name, value, 'Expected true or false.');
}

export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw invalidParam(name, value, 'Expected an integer.');
  const n = Number(value);
  if (n < min || n > max) throw invalidParam(name, value, `Expected a value from ${min} to ${max}.`);
  return n;
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw invalidParam(name, value, `Expected one of ${allowed.join(', ')}.`);
  return found;
}
