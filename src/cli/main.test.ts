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
  assert.match(run('--help').stdout, /Commands:\n\s+extract[\s\S]*\n\s+info/);
  assert.match(run('info', '--help').stdout, /--json\s+print one JSON object/);
});

test('facegan extract: a missing input is one clear line and exit 1; --help lists its options', () => {
  const r = run('extract', '-i', '/no/such/folder', '-o', '/tmp/facegan-cli-out');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^facegan: No file or folder at \/no\/such\/folder/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const missing = run('extract', '-o', 'x');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /Missing --input/);
  assert.match(run('extract', '--help').stdout, /--coverage <number>.*\(default 0.625\)/);
});

test('facegan demo: extract, a short train and convert on the built-in samples write labelled swapped photos', { timeout: 300_000 }, async () => {
  const { mkdtempSync, readdirSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readImageSourceType, DIGITAL_SOURCE_TYPE } = await import('../media/provenance.js');
  const out = mkdtempSync(join(tmpdir(), 'facegan-demo-'));
  const r = spawnSync(process.execPath, [bin, 'demo', '--out', out, '--iterations', '5'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /convert: [1-9]\d* faces swapped/);
  const swapped = readdirSync(join(out, 'swapped'));
  assert.ok(swapped.length >= 2, `swapped photos: ${swapped.join(', ')}`);
  assert.equal(await readImageSourceType(join(out, 'swapped', swapped[0]!)), DIGITAL_SOURCE_TYPE);
  assert.ok(existsSync(join(out, 'model', 'previews', 'preview.png')));
});
