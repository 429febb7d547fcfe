/**
 * A lock on what one facegan process writes (a model folder, a faces folder, an alignments file): a lock file
 * holding the writer's pid, host and command. It is created whole in one step (written to a temporary file, then
 * hard-linked to the lock's name, which fails if the name exists), so that two processes cannot both take it and
 * no reader sees it half-written. A lock left by a process that is gone (same host, pid no longer running) is
 * stale: it is moved away under a unique name, checked to be the one judged stale, and taken over. So is one of
 * another host (shared storage) that its holder has not touched for STALE_ELSEWHERE_MS: a holder touches its lock
 * every HEARTBEAT_MS, so such a lock is of a machine that crashed. A live one is refused with who holds it.
 */
import { linkSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export const LOCK_FILE = '.facegan.lock';

/**
 * How often a holder touches its lock file, and how long a lock of another host may go untouched before it is stale.
 */
export const HEARTBEAT_MS = 30_000;
export const STALE_ELSEWHERE_MS = 5 * 60_000;

/** Whether the lock at `path` was last touched longer ago than STALE_ELSEWHERE_MS (by this host's clock). */
function untouched(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_ELSEWHERE_MS;
  } catch {
    return false;
  }
}

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  started: string;
}

/** The lock files this process holds (a restarted container may reuse an old pid: the file alone cannot tell). */
const held = new Set<string>();

/** Whether a process of this host is running (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

const fsError = (path: string, subject: string, e: unknown) =>
  new FaceganError(
    ErrorCodes.BAD_FILE,
    `Cannot take the lock ${path} for ${subject} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ` +
      'the folder must exist and be writable.',
    { cause: e },
  );

/**
 * Takes the lock on `dir` for this process (the folder must exist), or refuses with who holds it. Returns the
 * release function; the lock is also released when the process exits.
 */
export function lockFolder(dir: string, what: string, command?: string): () => void {
  return lockAt(join(dir, LOCK_FILE), `${what} ${dir}`, command);
}

/** Takes the lock file `path` for `subject` (a folder, or a file: its lock sits beside it as FILE.lock). */
export function lockAt(path: string, subject: string, command = process.argv.slice(1).join(' ')): () => void {
  if (held.has(path)) throw new FaceganError(ErrorCodes.USAGE, `${subject} is already being written by this process.`);
  const info: LockInfo = { pid: process.pid, host: hostname(), command, started: new Date().toISOString() };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(info));
  } catch (e) {
    throw fsError(path, subject, e);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, path);
        held.add(path);
        return releaser(path, info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(path, subject, e);
      }
      const other = readLock(path);
      const ours = other && other.host === info.host && other.pid === process.pid; // a lock from before a restart
      const live = other && (other.host === info.host ? alive(other.pid) : !untouched(path));
      if (other && !ours && live) {
        const where = other.host === info.host ? `pid ${other.pid}` : `pid ${other.pid} on ${other.host}`;
        throw new FaceganError(
          ErrorCodes.USAGE,
          `${subject} is in use by another facegan (${where}, since ${other.started}: ${other.command}). ` +
            `Wait for it to finish or stop it; if it is gone (another machine that crashed), delete ${path}, or ` +
            `wait: a lock of another machine untouched for ${STALE_ELSEWHERE_MS / 60_000} minutes is taken over.`,
        );
      }
      takeOverStale(path, other);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  throw new FaceganError(ErrorCodes.USAGE, `Could not take the lock ${path}: other processes keep taking it.`);
}

/**
 * Moves a stale lock away; if what was moved is not the lock judged stale (another took it meanwhile), puts it back.
 */
function takeOverStale(path: string, stale: LockInfo | undefined): void {
  const aside = `${path}.stale.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: another process took it over first; try again
  }
  const moved = readLock(aside);
  if (stale && moved && (moved.pid !== stale.pid || moved.started !== stale.started)) {
    try {
      linkSync(aside, path); // a live lock taken meanwhile: give it back
    } catch {
      /* the name was taken again; that process holds it */
    }
  }
  rmSync(aside, { force: true });
}

function releaser(path: string, info: LockInfo): () => void {
  let released = false;
  // the heartbeat that tells other hosts this lock is alive (it keeps no process running by itself)
  const beat = setInterval(() => {
    const now = readLock(path);
    // taken over (this process was stalled for minutes): never touch another holder's lock
    if (now && (now.pid !== info.pid || now.host !== info.host || now.started !== info.started)) {
      clearInterval(beat);
      return;
    }
    const t = new Date();
    try {
      utimesSync(path, t, t);
    } catch {
      /* gone or unreachable for a moment: the next beat tries again */
    }
  }, HEARTBEAT_MS);
  beat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(beat);
    held.delete(path);
    process.off('exit', release);
    const now = readLock(path);
    if (now?.pid === info.pid && now.host === info.host && now.started === info.started) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}
