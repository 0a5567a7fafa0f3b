import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** A file's lines (without their `\n`), read 1 MB at a time: a plan of thousands of flows is never one string. */
export function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(1 << 16);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const pieces = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
      rest = pieces.pop() ?? '';
      yield* pieces;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/** The first `bytes` bytes of a file as text. */
export function fileHead(path: string, bytes: number): string {
  return readAt(path, bytes, () => 0);
}

/** The last `bytes` bytes of a file as text (a plan's checksum is on its last lines). */
export function fileTail(path: string, bytes: number): string {
  return readAt(path, bytes, (size, length) => size - length);
}

function readAt(path: string, bytes: number, start: (size: number, length: number) => number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    const from = start(size, length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
