/**
 * Nothing lost, through real processes: two writers started together, SIGTERM in the middle of a video, a run
 * killed outright, hostile input folders and files cut short. Each case reproduces the fault, then checks that
 * nothing was lost and one clear line names the file. docs/reliability.md lists them.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractedFaces, extractedFixture, type FaceFixture, testTmp } from '../testing/faces.js';
import { sharedData } from '../testing/data.js';
import { train } from '../train/trainer.js';
import { ModelFolder } from '../train/core/model-folder.js';
import { extract } from '../extract/extract.js';
import { readAlignmentsFile } from '../io/alignments-file.js';

const bin = fileURLToPath(new URL('../../bin/facegan.js', import.meta.url));
const GRID = sharedData('video', 'grid_s2_swwp2s.mpg');
let A = '',
  B = '',
  model = '',
  tmp = '',
  S1: FaceFixture;

before(async () => {
  tmp = testTmp();
  S1 = await extractedFixture('grid_s1', 6);
  [A, B] = [S1.faces, await extractedFaces('grid_s2', 6)];
  model = join(tmp, 'rel-model');
  await train({
    a: A,
    b: B,
    modelDir: model,
    batchSize: 2,
    iterations: 2,
    saveEvery: 2,
    previewEvery: 2,
    precision: 'auto',
  });
});

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** Runs facegan; `when(err)` true sends `signal` (once), as a user or a scheduler would. */
function facegan(args: string[], stop?: { when: (err: string) => boolean; signal: NodeJS.Signals }): Promise<Ran> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '',
    err = '',
    sent = false;
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  const check = () => {
    if (stop && !sent && stop.when(err)) {
      sent = true;
      child.kill(stop.signal);
    }
  };
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    check();
  });
  // also polled: a condition on files (a non-TTY progress bar may print nothing until the end)
  const poll = setInterval(check, 20);
  return new Promise((res) =>
    child.on('close', (code) => {
      clearInterval(poll);
      res({ code, out, err });
    }),
  );
}

/** Starts the same command twice: the second as soon as the first holds its lock, so that both run at once. */
async function startedTogether(args: string[][], lock: string): Promise<Ran[]> {
  const first = facegan(args[0]!);
  for (let i = 0; i < 3000 && !existsSync(lock); i++) await new Promise((res) => setTimeout(res, 10));
  return Promise.all([first, facegan(args[1]!)]);
}

const lastCount = (err: string, re: RegExp) => Math.max(0, ...[...err.matchAll(re)].map((m) => Number(m[1])));

test('two train processes started together on one folder: one trains, the other is refused; one whole checkpoint', {
  timeout: 240_000,
}, async () => {
  const dir = join(tmp, 'two-trains');
  const args = [
    'train',
    '-A',
    A,
    '-B',
    B,
    '-m',
    dir,
    '--model',
    'lightweight', // the lock is the subject, not the model
    '--iterations',
    '30',
    '--batch-size',
    '2',
    '--save-every',
    '5',
    '--log-every',
    '1',
  ];
  const runs = await startedTogether([args, args], join(dir, '.facegan.lock'));
  const codes = runs.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 2], runs.map((r) => r.err.slice(-300)).join('\n---\n'));
  const refused = runs.find((r) => r.code === 2)!;
  assert.match(refused.err, /^facegan: The model folder .*two-trains is in use by another facegan \(pid \d+, since /m);
  const folder = new ModelFolder(dir);
  const state = folder.readState();
  assert.equal(state.iteration, 30);
  folder.verify(state); // weights and optimizer are the ones state.json was written with
  const its = folder.readLog().map((e) => e.iteration);
  assert.deepEqual(
    its,
    Array.from({ length: 30 }, (_, i) => i + 1),
    "one run's log, not two interleaved",
  );
});

/** The locks are the subject: the fastest detector. */
const HUMAN = ['--detector', 'human'];

test('two extracts started together into one alignments file: one is refused; run again, every frame is kept', {
  timeout: 300_000,
}, async () => {
  const frames = S1.frames,
    shared = join(tmp, 'shared.alignments.json');
  const runs = await startedTogether(
    ['x1', 'x2'].map((o) => ['extract', '-i', frames, '-o', join(tmp, o), '-a', shared, '--no-identity', ...HUMAN]),
    `${shared}.lock`,
  );
  assert.deepEqual(runs.map((r) => r.code).sort(), [0, 2], runs.map((r) => r.err.slice(-300)).join('\n---\n'));
  assert.match(
    runs.find((r) => r.code === 2)!.err,
    /alignments file .*shared\.alignments\.json is in use by another facegan \(pid \d+/,
  );
  const loser = runs[0]!.code === 2 ? 'x1' : 'x2';
  // the refused one, run again: the frames the alignments file holds have no crops in its folder, so they are done
  const again = await facegan([
    'extract',
    '-i',
    frames,
    '-o',
    join(tmp, loser),
    '-a',
    shared,
    '--no-identity',
    ...HUMAN,
  ]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /6 faces from 6 frames \(6 processed now, 0 already done/);
  const doc = readAlignmentsFile(shared);
  assert.equal(Object.keys(doc.frames).length, 6);
  for (const f of Object.values(doc.frames).flatMap((fr) => fr.faces))
    assert.ok(existsSync(join(tmp, loser, f.crop!)), f.crop);
});

test('SIGTERM during extract of a video keeps every frame done so far; the run resumes from there', {
  timeout: 300_000,
}, async () => {
  const out = join(tmp, 'term-faces'),
    file = join(tmp, 'term.alignments.json');
  // a longer clip, every 4th frame: the bar's first line (after 5 s when not on a terminal) comes well before the end
  const args = [
    'extract',
    '-i',
    sharedData('video', 'new_face_video-90_ccby_aarontang.mp4'),
    '-o',
    out,
    '-a',
    file,
    '--no-identity',
    '--every-n',
    '4',
  ];
  const r = await facegan(args, { when: (e) => lastCount(e, / (\d+)\/\d+ frames/g) >= 1, signal: 'SIGTERM' });
  assert.equal(r.code, 130, r.err.slice(-500));
  const shown = lastCount(r.err, / (\d+)\/\d+ frames/g);
  const doc = readAlignmentsFile(file);
  const keys = Object.keys(doc.frames);
  assert.ok(keys.length >= shown, `${keys.length} frames saved, ${shown} shown done`);
  const crops = readdirSync(out)
    .filter((f) => f.endsWith('.png'))
    .sort();
  assert.deepEqual(
    Object.values(doc.frames)
      .flatMap((f) => f.faces.map((x) => x.crop!))
      .sort(),
    crops,
    'crops and records agree',
  );
  const resumed = await facegan(args);
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, new RegExp(`${keys.length} already done`));
});

test('SIGTERM during convert removes the partial video; one left by a killed run goes on the next start', {
  timeout: 300_000,
}, async () => {
  const dir = join(tmp, 'term-convert');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'out.mp4');
  // the signal once the partial video exists: on a fast machine a non-TTY bar printed its first line at 75/75
  const args = ['convert', '-i', GRID, '-o', out, '-m', model, '--threads', '1'];
  const progressed = () => readdirSync(dir).some((f) => f.endsWith('.partial.mp4'));
  const r = await facegan(args, { when: progressed, signal: 'SIGTERM' });
  assert.equal(r.code, 130, r.err.slice(-500));
  assert.deepEqual(readdirSync(dir), [], 'neither the video nor its partial file');
  const killed = await facegan(args, { when: progressed, signal: 'SIGKILL' });
  assert.equal(killed.code, null);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.partial.mp4')).length, 1, 'kill -9 leaves its partial file');
  const whole = await facegan(args);
  assert.equal(whole.code, 0, whole.err);
  assert.deepEqual(readdirSync(dir), ['out.mp4'], "the dead run's partial file and lock are gone");
});

test('extract: bad names, dangling links and pipes are skipped by name; an empty folder is refused', {
  timeout: 300_000,
}, async () => {
  const input = join(tmp, 'hostile-input');
  mkdirSync(input, { recursive: true });
  const src = sharedData('faces', 'grid_s1');
  for (const f of readdirSync(src).sort().slice(0, 2)) copyFileSync(join(src, f), join(input, f));
  const bad = Buffer.concat([Buffer.from(join(input, 'bad')), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]);
  copyFileSync(join(src, readdirSync(src).sort()[0]!), bad);
  symlinkSync(join(input, 'gone.jpg'), join(input, 'dangling.jpg'));
  assert.equal(spawnSync('mkfifo', [join(input, 'pipe.jpg')]).status, 0);
  const r = await facegan(['extract', '-i', input, '-o', join(tmp, 'hostile-faces'), '--no-identity']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /skipped bad\uFFFD\uFFFD\.jpg: its name is not valid UTF-8/);
  assert.match(r.err, /skipped dangling\.jpg: it cannot be read \(a link to nothing\)/);
  assert.match(r.err, /skipped pipe\.jpg: .*is not a regular file/);
  assert.match(r.out, /2 faces from 5 frames .*3 unreadable/);
  assert.doesNotMatch(r.err, /This is a bug/);

  const empty = join(tmp, 'empty-input');
  mkdirSync(empty);
  const e = await facegan(['extract', '-i', empty, '-o', join(tmp, 'empty-faces')]);
  assert.equal(e.code, 1);
  assert.match(e.err, /^facegan: .*empty-input holds no files: give a folder of images/m);
  assert.ok(!existsSync(`${empty}.alignments.json`), 'no empty alignments file');
});

test('a video cut short: extract and convert warn that it ended before its stated frames; a whole one does not', {
  timeout: 300_000,
}, async () => {
  // an MP4 with its index up front, cut in half: ffmpeg decodes the first half and stops without an error
  const whole = join(tmp, 'whole.mp4'),
    cut = join(tmp, 'cut.mp4');
  const enc = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    GRID,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-movflags',
    '+faststart',
    whole,
  ]);
  assert.equal(enc.status, 0, enc.stderr?.toString());
  writeFileSync(cut, readFileSync(whole).subarray(0, Math.floor(statSync(whole).size / 2)));
  const warned: string[] = [];
  const s = await extract({
    input: cut,
    output: join(tmp, 'cut-faces'),
    everyN: 10,
    identity: false,
    onWarning: (m) => warned.push(m),
  });
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, /cut\.mp4 ended after \d+ of the 75 frames it states .*cut short/);
  assert.deepEqual(s.warnings, warned);
  const ok = await extract({ input: whole, output: join(tmp, 'whole-faces'), everyN: 10, identity: false });
  assert.deepEqual(ok.warnings, []);
  const c = await facegan(['convert', '-i', cut, '-o', join(tmp, 'cut-out.mp4'), '-m', model]);
  assert.equal(c.code, 0, c.err);
  assert.match(c.err, /facegan: warning: .*cut\.mp4 ended after \d+ of the 75 frames/);
});

const drawIntoLinkTitle =
  'alignments draw into a link to the input is refused, the input untouched; help spaces every command';
test(drawIntoLinkTitle, async () => {
  const frames = S1.frames;
  const link = join(tmp, 'frames-link');
  symlinkSync(frames, link);
  const before = readdirSync(frames).sort();
  const r = spawnSync(process.execPath, [bin, 'alignments', 'draw', '-a', S1.alignments, '-i', frames, '-o', link], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /output folder is the input \(or a link to it\)/);
  assert.deepEqual(readdirSync(frames).sort(), before);
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout;
  for (const line of help.split('\n').filter((l) => /^ {2}[a-z]/.test(l)))
    assert.match(line, /^ {2}[a-z-]+ {2,}\S/, line);
});
