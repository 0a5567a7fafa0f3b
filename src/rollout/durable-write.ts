import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file (a string, bytes, or pieces of a string) so that a crash leaves either the old content or the new one, never half: write a temporary
 * file beside it, fsync it, rename it over the target, fsync the directory. (write-file-atomic does the same but
 * its Node 20 major is async-only and adds nothing we need.)
 */
export function writeFileDurably(path: string, content: string | Uint8Array | Iterable<string>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    else for (const piece of content) writeAll(fd, Buffer.from(piece, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** writeSync may write less than asked; loop until every byte is written. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
