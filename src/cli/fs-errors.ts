import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Local file-system failures (a plan path that is a directory, a read-only or full disk, no permission) are the
 * user's environment, not a bug: one line with the path and the reason, never "internal error".
 */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EBUSY: 'resource busy',
  ETXTBSY: 'text file busy',
  ENXIO: 'no reader on the other end (a socket or a FIFO without reader)',
  EINVAL: 'invalid argument',
};

const READS = new Set(['read', 'scandir', 'opendir', 'readlink', 'stat', 'lstat', 'access', 'realpath']);

export interface FsErrorLike {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** A Node file-system error (it carries a code and the failing call), as opposed to any other Error. */
export function isFsError(error: unknown): error is Error & FsErrorLike {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as Partial<FsErrorLike>;
  return typeof code === 'string' && code in REASONS && (typeof syscall === 'string' || typeof (error as Partial<FsErrorLike>).path === 'string');
}

/** `cannot write /x/plan.json: no space left on device (ENOSPC)`. */
export function fsErrorMessage(error: Error & FsErrorLike): string {
  const path = error.dest ?? error.path;
  const verb = error.syscall && READS.has(error.syscall) ? 'cannot read' : 'cannot write';
  const reason = REASONS[error.code] ?? error.code;
  return `${verb} ${path ?? '(unknown path)'}: ${reason} (${error.code})`;
}

/**
 * Fails (with a file-system error naming the path) when files cannot be created under `dir`: the nearest part of
 * it that exists must be a writable directory. Checked before a command starts, so that a read-only or misplaced
 * run directory is reported before anything is read or written remotely. A full disk shows only when writing.
 */
export function assertWritableDir(dir: string): void {
  let current = resolve(dir);
  for (;;) {
    let stats;
    try {
      stats = statSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not there (or a file is in the way further up, which the loop then finds and names).
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = dirname(current);
      if (parent === current) return;
      current = parent;
      continue;
    }
    if (!stats.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${current}`), { code: 'ENOTDIR', syscall: 'mkdir', path: current });
    try {
      accessSync(current, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EACCES';
      throw Object.assign(new Error(`${code}: ${current}`), { code, syscall: 'open', path: current });
    }
    return;
  }
}
