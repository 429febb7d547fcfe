/**
 * Locks on shared storage: another machine's lock is refused while its holder touches it, taken over once it is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { testTmp } from '../testing/faces.js';
import { ErrorCodes, type FaceganError } from '../core/errors.js';
import { LOCK_FILE, STALE_ELSEWHERE_MS, lockFolder } from './lock.js';

test("another machine's lock: refused while it is touched, taken over once untouched for 5 minutes", () => {
  const dir = join(testTmp(), 'lock-elsewhere');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const theirs = { pid: 4242, host: `not-${hostname()}`, command: 'facegan convert --queue ...', started: 'then' };
  writeFileSync(path, JSON.stringify(theirs));
  assert.throws(
    () => lockFolder(dir, 'The output folder'),
    (e: FaceganError) => {
      assert.equal(e.code, ErrorCodes.USAGE);
      assert.match(e.message, new RegExp(`pid 4242 on not-${hostname()}.*untouched for 5 minutes is taken over`));
      return true;
    },
  );
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).host, theirs.host, 'their lock is left as it was');
  // its holder crashed: nobody has touched it for longer than the limit
  const then = new Date(Date.now() - STALE_ELSEWHERE_MS - 60_000);
  utimesSync(path, then, then);
  const release = lockFolder(dir, 'The output folder');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid, 'taken over');
  release();
  assert.ok(!existsSync(path));
});
