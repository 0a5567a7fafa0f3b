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
  writeFilesDurably([{ path, content }]);
}

/**
 * Several files written durably together (a batch of backups): each is fsynced and renamed into place as
 * writeFileDurably does, and each directory is fsynced once at the end, not once a file. Durable, all of them,
 * only when this returns; a failure leaves no temporary file, and no target half written.
 */
export function writeFilesDurably(files: readonly { path: string; content: Content }[]): void {
  // Every file is written before the first fsync: the file system then flushes them together (one journal commit
  // on ext4) and the later fsyncs find little left to do.
  const open: DurableFile[] = [];
  try {
    for (const { path, content } of files) {
      const file = openFileDurably(path);
      open.push(file);
      writeContent(file, content);
    }
    const dirs = new Map<string, string>();
    for (const [index, file] of open.entries()) {
      const dir = file.commit({ syncDir: false });
      if (dir !== undefined) dirs.set(dir, files[index]!.path);
    }
    for (const [dir, shown] of dirs) syncDir(dir, shown);
  } catch (error) {
    for (const file of open) file.abort(); // committed ones are in place already; abort only removes temporaries
    throw error;
  }
}

/** A file being written durably, piece by piece (a plan written as it is made): commit() puts it in place. */
export interface DurableFile {
  write(piece: string | Uint8Array): void;
  /**
   * fsync, rename over the target, fsync the directory (written through: just closed). With `syncDir: false`
   * the directory is left to the caller: its path is returned (undefined when there is none to sync).
   */
  commit(options?: { syncDir?: boolean }): string | undefined;
  /** After a failure: the temporary file is removed, the target untouched. */
  abort(): void;
}

/** writeFileDurably one piece at a time: the same rules for what the path names, the same errors. */
export function openFileDurably(path: string): DurableFile {
  const seen = statOrUndefined(path);
  if (seen?.isDirectory()) throw fileError('EISDIR', 'open', path);
  // Not a regular file: write into it as it is (a device or pipe cannot be replaced atomically, nor should be).
  if (seen && !seen.isFile()) return writeThrough(path);
  return atomicReplace(followLinks(path), seen?.mode, path);
}

function atomicReplace(target: string, mode: number | undefined, shown: string): DurableFile {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  const fail = (error: unknown): never => {
    abort();
    throw withPath(error, shown);
  };
  function abort(): void {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the error raised is the one that matters
      }
      fd = undefined;
    }
    try {
      unlinkSync(temp);
    } catch {
      // never created, already gone, or renamed into place
    }
  }
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(temp, 'wx');
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777); // the replacement keeps the file's permissions
  } catch (error) {
    fail(error);
  }
  return {
    write(piece) {
      try {
        writeAll(fd as number, piece, target);
      } catch (error) {
        fail(error);
      }
    },
    commit(options = {}) {
      try {
        fsyncSync(fd as number);
        closeSync(fd as number);
        fd = undefined;
        renameSync(temp, target);
      } catch (error) {
        fail(error);
      }
      if (options.syncDir === false) return dir;
      syncDir(dir, shown);
      return undefined;
    },
    abort,
  };
}

/** fsync a directory: the renames into it survive a crash. */
function syncDir(dir: string, shown: string): void {
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch (error) {
    throw withPath(error, shown);
  }
}

function writeThrough(path: string): DurableFile {
  let fd: number | undefined;
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw withPath(error, path);
  }
  return {
    write(piece) {
      try {
        writeAll(fd as number, piece, path);
      } catch (error) {
        close();
        throw withPath(error, path);
      }
    },
    commit: () => {
      close();
      return undefined;
    },
    abort: close,
  };
}

function writeContent(file: DurableFile, content: Content): void {
  if (typeof content === 'string' || content instanceof Uint8Array) file.write(content);
  else for (const piece of content) file.write(piece);
}

/**
 * A string is encoded into this buffer when it fits (UTF-8 takes at most 3 bytes a UTF-16 unit), not into a new
 * Buffer each: a run writes thousands of files and pieces, and each new Buffer is memory outside the heap until
 * the next collection (issue 15).
 */
const scratch = Buffer.allocUnsafe(256 * 1024);

/** writeSync may write less than asked; loop until every byte is written. */
function writeAll(fd: number, piece: string | Uint8Array, target: string): void {
  if (injectedFault && target.includes(injectedFault.pathIncludes)) throw fileError(injectedFault.code, 'write', target);
  const fits = typeof piece === 'string' && piece.length * 3 <= scratch.length;
  const bytes = typeof piece !== 'string' ? piece : fits ? scratch.subarray(0, scratch.write(piece, 0, 'utf8')) : Buffer.from(piece, 'utf8');
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
