import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testTmp } from '../testing/tmp.js';

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

test("help lists the commands and each command's options", () => {
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

test('facegan demo: extract, a short train and convert on the built-in samples write labelled swapped photos', {
  timeout: 300_000,
}, async () => {
  const { mkdtempSync, readdirSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { readImageSourceType, DIGITAL_SOURCE_TYPE } = await import('../media/provenance.js');
  const out = mkdtempSync(join(testTmp(), 'facegan-demo-'));
  const r = spawnSync(process.execPath, [bin, 'demo', '--out', out, '--iterations', '5'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /convert: [1-9]\d* faces swapped/);
  const swapped = readdirSync(join(out, 'swapped'));
  assert.ok(swapped.length >= 2, `swapped photos: ${swapped.join(', ')}`);
  assert.equal(await readImageSourceType(join(out, 'swapped', swapped[0]!)), DIGITAL_SOURCE_TYPE);
  assert.ok(existsSync(join(out, 'model', 'previews', 'preview.png')));
});

test('facegan train --eval-every logs eval figures; facegan eval prints the figures and writes the report', {
  timeout: 300_000,
}, async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { extractedFaces, testTmp } = await import('../testing/faces.js');
  const { sharedData } = await import('../testing/data.js');
  const [a, b] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
  const model = join(testTmp(), 'cli-eval-model'),
    clip = sharedData('video', 'grid_s2_swwp2s.mpg');
  const missing = run('train', '-A', a, '-B', b, '-m', model, '--iterations', '4', '--eval-every', '4');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--eval-every needs --eval-input/);
  const t = run(
    'train',
    '-A',
    a,
    '-B',
    b,
    '-m',
    model,
    '--model',
    'lightweight', // the CLI's evaluation is the subject, not the model
    '--iterations',
    '4',
    '--batch-size',
    '4',
    '--eval-every',
    '4',
    '--eval-input',
    sharedData('faces', 'grid_s1'),
    '--eval-frames',
    '3',
    '--precision',
    'auto',
  );
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /eval at 4: detection/);
  const last = JSON.parse(readFileSync(join(model, 'log.jsonl'), 'utf8').trim().split('\n').pop()!) as Record<
    string,
    number
  >;
  assert.equal(last.iteration, 4);
  assert.equal(typeof last.evalDetection, 'number');
  assert.ok(existsSync(join(model, 'eval', 'training', 'report.html')));

  const out = join(testTmp(), 'cli-eval-report');
  const e = run('eval', '-m', model, '-i', clip, '--source', a, '--swap', '--max-frames', '4', '-o', out);
  assert.equal(e.status, 0, e.stderr);
  // 4 iterations draw no face yet: the detector finds none of the swaps, and the figures that need one are empty
  assert.match(e.stdout, /detection +0\.0% of 4 faces \(input frames: 100\.0%\); 0 measured/);
  assert.match(e.stdout, /reconstruction B->B PSNR \d+\.\d+ dB/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    counts: { frames: number };
    model: { direction: string };
  };
  assert.deepEqual([report.counts.frames, report.model.direction], [4, 'B->A']);
});
