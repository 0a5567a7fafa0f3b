import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync, statSync, lstatSync, readlinkSync, unlinkSync, fchmodSync, type Stats } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';

type Content = string | Uint8Array | Iterable<string>;

/**
 * Writes a file (a string, bytes, or pieces of a string) so that a crash leaves either the old content or the new one, never half: write a temporary
 * file beside it, fsync it, rename it over the target, fsync the directory. (write-file-atomic does the same but
 * its Node 20 major is async-only and adds nothing we need.)
 *
 * What the path names is respected: a symbolic link is followed (the file it points to is replaced, the link
 * stays); a character device, FIFO or socket (`/dev/stdout`, `/dev/null`, a named pipe) is written through, never
 * replaced by a regular file; a directory is refused (EISDIR) before anything is written. Whatever fails, the
 * temporary file is removed, and the error names the path asked for (not the temporary file).
 */
export function writeFileDurably(path: string, content: Content): void {
  const seen = statOrUndefined(path);
  if (seen?.isDirectory()) throw fileError('EISDIR', 'open', path);
  // Not a regular file: write into it as it is (a device or pipe cannot be replaced atomically, nor should be).
  if (seen && !seen.isFile()) return writeThrough(path, content);
  const target = followLinks(path);
  atomicReplace(target, content, seen?.mode, path);
}

function atomicReplace(target: string, content: Content, mode: number | undefined, shown: string): void {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  let renamed = false;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(temp, 'wx');
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777); // the replacement keeps the file's permissions
    writeContent(fd, content, target);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
    renamed = true;
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the error below is the one that matters
      }
    }
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already gone
      }
    }
    throw withPath(error, shown);
  }
}

function writeThrough(path: string, content: Content): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w');
    writeContent(fd, content, path);
  } catch (error) {
    throw withPath(error, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeContent(fd: number, content: Content, target: string): void {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content, target);
  } else {
    for (const piece of content) writeAll(fd, Buffer.from(piece, 'utf8'), target);
  }
}

/** writeSync may write less than asked; loop until every byte is written. */
function writeAll(fd: number, bytes: Uint8Array, target: string): void {
  if (injectedFault && target.includes(injectedFault.pathIncludes)) throw fileError(injectedFault.code, 'write', target);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw withPath(error, path);
  }
}

/** The file a chain of symbolic links ends at (it may not exist yet: a dangling link creates its target). */
function followLinks(path: string): string {
  let current = path;
  for (let hops = 0; hops < 40; hops += 1) {
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      return current;
    }
    if (!isLink) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw fileError('ELOOP', 'open', path);
}

function fileError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

/** The same failure, naming the path the caller asked for. */
function withPath(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error;
  return fileError(code, (error as NodeJS.ErrnoException).syscall ?? 'write', path);
}

/**
 * FAULT INJECTION, for tests only: while set, every write of a file whose path contains `pathIncludes` fails with
 * `code` after its temporary file was created (as a full disk fails a write). ENOSPC, EROFS and EACCES cannot be
 * produced for real in the test environment (tests run as root, on a roomy writable disk); nothing in flowlink
 * sets this.
 */
let injectedFault: { code: string; pathIncludes: string } | undefined;

export function injectWriteFaultForTests(fault: { code: string; pathIncludes: string } | undefined): void {
  injectedFault = fault;
}
