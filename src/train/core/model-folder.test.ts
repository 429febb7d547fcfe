/** The model folder under faults: damaged folders are never re-initialised, cut-short saves are caught, one writer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { testTmp } from '../../testing/faces.js';
import { TINY_CYCLEGAN, photoFolder } from '../../testing/cyclegan.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { LOCK_FILE, lockFolder } from '../../io/lock.js';
import { train, type TrainOptions } from '../trainer.js';
import { ModelFolder } from './model-folder.js';
import { Random } from '../../core/random.js';
import { loadTrainedModel } from '../../models/trained.js';
import { dispose, loadSafetensors, saveSafetensors, tidy } from '../../engine/index.js';

const quick = (modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a: photoFolder('grid_s1', 3),
  b: photoFolder('grid_s2', 3),
  modelDir,
  ...TINY_CYCLEGAN,
  iterations: 2,
  saveEvery: 2,
  ...extra,
});
const refused = (code: string, message: RegExp) => (e: unknown) =>
  e instanceof FaceganError && e.code === code && message.test(e.message);

test('a folder holding weights but no state.json is refused, untouched; --restart moves its files aside', async () => {
  const dir = join(testTmp(), 'mf-damaged');
  await train(quick(dir));
  rmSync(join(dir, 'state.json'));
  const weights = readFileSync(join(dir, 'model.safetensors'));
  await assert.rejects(
    train(quick(dir)),
    refused(ErrorCodes.BAD_MODEL, /no state\.json: it is damaged, not new.*--restart/),
  );
  assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), weights, 'the weights are left as they were');
  const s = await train(quick(dir, { restart: true }));
  assert.equal(s.startIteration, 0);
  const aside = readdirSync(dir).filter((f) => f.startsWith('replaced-'));
  assert.equal(aside.length, 1);
  assert.deepEqual(readFileSync(join(dir, aside[0]!, 'model.safetensors')), weights, 'the old weights are kept aside');
  assert.ok(!existsSync(join(dir, LOCK_FILE)), 'the lock is released');
});

const cutShortTitle =
  'a checkpoint whose weights do not match state.json (a save cut short) is refused; orphan temp files go';
test(cutShortTitle, async () => {
  const dir = join(testTmp(), 'mf-cut');
  await train(quick(dir));
  const orphan = join(dir, `.model.safetensors.99999.abcd1234.tmp`);
  writeFileSync(orphan, Buffer.alloc(1024));
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { checksums: Record<string, string> };
  assert.ok(
    state.checksums['model.safetensors'] && state.checksums['disc.safetensors'],
    'state.json lists the checksums',
  );
  const good = readFileSync(join(dir, 'disc.safetensors'));
  writeFileSync(
    join(dir, 'disc.safetensors'),
    Buffer.concat([good.subarray(0, good.length - 4), Buffer.from([1, 2, 3, 4])]),
  );
  await assert.rejects(
    train(quick(dir, { iterations: 3 })),
    refused(ErrorCodes.BAD_MODEL, /disc\.safetensors does not match state\.json.*cut short.*backup/),
  );
  assert.ok(!existsSync(orphan), 'temporary files of a killed writer are removed');
  writeFileSync(join(dir, 'disc.safetensors'), good);
  const s = await train(quick(dir, { iterations: 3 }));
  assert.equal(s.startIteration, 2, 'with the matching file back, it resumes');
});

const badStateTitle =
  'state.json of null, an iteration of -5 or "abc", or a file path: refused by field, and log.jsonl kept';
test(badStateTitle, async () => {
  const dir = join(testTmp(), 'mf-state');
  await train(quick(dir, { logEvery: 1 }));
  const log = readFileSync(join(dir, 'log.jsonl'), 'utf8');
  const good = readFileSync(join(dir, 'state.json'), 'utf8');
  const cases: [string, RegExp][] = [
    ['null', /state\.json is not valid: the document: expected object \(it holds null\)/],
    ['{"iteration": -5, "seconds": 1}', /state\.json is not valid: iteration: Too small.*>=0 \(it holds -5\)/],
    ['{"iteration": "abc", "seconds": 1}', /state\.json is not valid: iteration: expected number \(it holds "abc"\)/],
    [
      '{"iteration": 2, "seconds": 1, "files": ["../../elsewhere.safetensors"]}',
      /files\[0\]: expected file names ending/,
    ],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, 'state.json'), text);
    await assert.rejects(train(quick(dir, { iterations: 4 })), refused(ErrorCodes.BAD_MODEL, message), text);
    assert.equal(readFileSync(join(dir, 'log.jsonl'), 'utf8'), log, 'the log is untouched');
  }
  writeFileSync(join(dir, 'state.json'), good);
  assert.equal((await train(quick(dir, { iterations: 3 }))).startIteration, 2);
});

const oneWriterTitle =
  "one writer per model folder: a live holder is refused with who it is, a dead one's lock is taken over";
test(oneWriterTitle, async () => {
  const dir = join(testTmp(), 'mf-lock');
  mkdirSync(dir, { recursive: true });
  const release = lockFolder(dir, 'The model folder', 'test');
  assert.throws(
    () => lockFolder(dir, 'The model folder'),
    refused(ErrorCodes.USAGE, /already being written by this process/),
  );
  release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));

  const other = spawn('sleep', ['30']);
  try {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: other.pid, host: hostname(), command: 'facegan train', started: 'now' }),
    );
    await assert.rejects(
      train(quick(dir)),
      refused(ErrorCodes.USAGE, new RegExp(`in use by another facegan \\(pid ${other.pid}`)),
    );
    assert.ok(!existsSync(join(dir, 'model.safetensors')), 'nothing was written');
  } finally {
    other.kill();
  }
  await new Promise((r) => other.once('exit', r));
  const s = await train(quick(dir));
  assert.equal(s.iteration, 2, 'the lock of a process that is gone is stale and taken over');
});

const nanWeightsTitle =
  'weights with NaN (a diverged run) are refused on load with what to do, not converted into black faces';
test(nanWeightsTitle, async () => {
  const dir = join(testTmp(), 'mf-nan'),
    copy = join(testTmp(), 'mf-nan-copy');
  await train(quick(dir));
  mkdirSync(copy, { recursive: true });
  copyFileSync(join(dir, 'config.json'), join(copy, 'config.json'));
  const { tensors } = loadSafetensors(join(dir, 'model.safetensors'));
  const [name, first] = [...tensors][0]!;
  tensors.set(
    name,
    tidy(() => first.mul(Number.NaN)),
  );
  saveSafetensors(join(copy, 'model.safetensors'), tensors);
  dispose(tensors);
  assert.throws(() => loadTrainedModel(copy), refused(ErrorCodes.BAD_MODEL, /non-finite weights.*diverged/));
  loadTrainedModel(dir).model.dispose();
});

test('kill -9 at random points of checkpoint writes until three land inside one: each restart finds a whole one', {
  timeout: 600_000,
}, async () => {
  const dir = join(testTmp(), 'mf-kill');
  const bin = fileURLToPath(new URL('../../../bin/facegan.js', import.meta.url));
  const args = [
    bin,
    'train',
    '-A',
    photoFolder('grid_s1', 3),
    '-B',
    photoFolder('grid_s2', 3),
    '-m',
    dir,
    '--model',
    'cyclegan',
    '--size',
    '32',
    '--ngf',
    '8',
    '--ndf',
    '8',
    '--blocks',
    '1',
    '--batch-size',
    '2',
    '--iterations',
    '100000',
    '--save-every',
    '1',
    '--preview-every',
    '100000',
    '--log-every',
    '1',
  ];
  const rng = new Random(2026);
  let last = 0,
    cutSaves = 0;
  let kills = 0;
  // at least 8 kills, and on until three have landed inside a checkpoint write (20 at most)
  while (kills < 20 && (kills < 8 || cutSaves < 3)) {
    const kill = kills++;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '',
      code: number | null | undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (err += s));
    const exited = new Promise<void>((res) => child.on('close', (c) => ((code = c), res())));
    // wait until it has trained past where it started (log.jsonl gains a line per iteration), then kill it at a
    // random moment of the next saves (one per iteration)
    const logged = () => {
      const lines = existsSync(join(dir, 'log.jsonl'))
        ? readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n')
        : [];
      try {
        return lines.at(-1) ? (JSON.parse(lines.at(-1)!) as { iteration: number }).iteration : 0;
      } catch {
        return 0; // a line being written
      }
    };
    while (logged() <= last + 1) {
      assert.equal(code, undefined, `train exited by itself (${code}): ${err.slice(-400)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, rng.int(120)));
    child.kill('SIGKILL');
    await exited;
    const folder = new ModelFolder(dir);
    const r = folder.recover();
    if (r.finished || r.dropped) cutSaves++;
    const state = folder.readState();
    assert.doesNotThrow(() => folder.verify(state), `after kill ${kill}: the checkpoint on disk is whole`);
    assert.ok(state.iteration >= last, `after kill ${kill}: no checkpoint went back (${state.iteration} < ${last})`);
    last = state.iteration;
    folder.trimLog(last); // as train does on start: the lines past the checkpoint are trained again
  }
  assert.ok(last >= kills, `training went on between the kills (reached ${last} in ${kills} kills)`);
  assert.ok(
    cutSaves >= 3,
    `kills landed inside checkpoint writes (${cutSaves} of ${kills}), finished or dropped on restart`,
  );
  const s = await train(quick(dir, { iterations: last + 1, saveEvery: 1 }));
  assert.equal(s.startIteration, last);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.next')),
    [],
    'no orphan files after the next run',
  );
});
