import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/facegan.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('facegan info --json reports the engine it runs on', () => {
  const r = run('info', '--json');
  assert.equal(r.status, 0, r.stderr);
  const facts = JSON.parse(r.stdout) as { libtorch: string; threads: number; cuda: boolean };
  assert.match(facts.libtorch, /^\d+\.\d+/);
  assert.ok(facts.threads >= 1);
  assert.equal(typeof facts.cuda, 'boolean');
});

test('usage mistakes print one clear line, no stack, and exit 2', () => {
  for (const args of [['frobnicate'], ['info', '--bogus']]) {
    const r = run(...args);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^facegan: (Unknown command "frobnicate"|Unknown option --bogus)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('help lists the commands and each command\'s options', () => {
  assert.match(run('--help').stdout, /Commands:\n\s+info/);
  assert.match(run('info', '--help').stdout, /--json\s+print one JSON object/);
});
