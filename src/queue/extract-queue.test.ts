/**
 * extract shared over workers through a real redis-server (started here on a loopback port): a clip made from the
 * shared GRID video cut into parts at keyframes, each extracted by a worker process into one faces folder, the parts'
 * alignments merged at the end; checked against one process extracting the whole clip. Then a worker killed -9
 * mid-part, Redis killed and restarted mid-job, and a folder of photos grouped into tasks.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { testTmp } from '../testing/faces.js';
import { loopedClip } from '../testing/long-clip.js';
import { sharedData } from '../testing/data.js';
import { startRedis, type TestRedis } from '../testing/redis.js';
import { count, stopAll, until, within, workerProcess } from '../testing/queue-workers.js';
import { extract } from '../extract/extract.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { readCropRecord } from '../faces/crop-file.js';
import type { Alignments } from '../core/alignments.js';
import { extractJob } from './extract-job.js';

let redis: TestRedis, tmp: string, clip: { video: string };
let reference: Alignments;
const SIZE = 64;

before(async () => {
  tmp = testTmp();
  redis = await startRedis();
  clip = await loopedClip(6);
  const alignments = join(tmp, 'ex-one.alignments.json');
  await extract({ input: clip.video, output: join(tmp, 'ex-one-faces'), alignments, size: SIZE });
  reference = readAlignmentsFile(alignments);
});
after(async () => redis?.stop());

/**
 * Checks a job's faces folder and alignments against one process's: the same frames in the same order, the same
 * faces per frame under the same crop names, the landmarks within 3 px (each part's tracker starts afresh at its
 * cut), and every crop on disk listed, whole and recording its own frame.
 */
function checkAgainstReference(faces: string, alignments: string, ref = reference): void {
  const got = readAlignmentsFile(alignments);
  assert.deepEqual(Object.keys(got.frames), Object.keys(ref.frames), 'the same frames, in order');
  let worst = 0;
  for (const [key, frame] of Object.entries(ref.frames)) {
    const g = got.frames[key]!;
    assert.deepEqual(
      g.faces.map((f) => f.crop),
      frame.faces.map((f) => f.crop),
      `frame ${key}: the same faces`,
    );
    for (const [i, f] of frame.faces.entries()) {
      const l = g.faces[i]!.landmarks;
      const d = f.landmarks.reduce((s, [x, y], j) => s + Math.hypot(x - l[j]![0], y - l[j]![1]), 0) / l.length;
      worst = Math.max(worst, d);
    }
  }
  assert.ok(worst < 3, `landmarks within 3 px of one process's (worst mean ${worst.toFixed(2)} px)`);
  const listed = Object.values(got.frames).flatMap((f) => f.faces.map((x) => x.crop!));
  const onDisk = readdirSync(faces).filter((f) => !f.startsWith('.'));
  assert.deepEqual(onDisk.sort(), [...listed].sort(), 'every crop on disk is listed, and no other');
  for (const [key, frame] of Object.entries(got.frames).filter((_, i) => i % 25 === 0))
    for (const f of frame.faces) assert.equal(readCropRecord(join(faces, f.crop!))?.frame.key, key);
  assert.deepEqual(
    readdirSync(faces).filter((f) => f.startsWith('.')),
    [],
    'no job folder, lock or partial file left',
  );
}

test('a 6 s clip over 2 workers, one killed -9 mid-part: the same faces and alignments as one process', {
  timeout: 400_000,
}, async () => {
  const ws = [workerProcess(redis.url, [tmp]), workerProcess(redis.url, [tmp])];
  try {
    await Promise.all(ws.map((w) => w.ready));
    const faces = join(tmp, 'ex-2workers-faces'),
      alignments = join(tmp, 'ex-2workers.alignments.json');
    const job = extractJob({
      input: clip.video,
      output: faces,
      alignments,
      size: SIZE,
      queue: redis.url,
      partSeconds: 2,
    });
    await within(
      until(() => ws.some((w) => w.lines.some((l) => l.includes(' started ')))),
      120_000,
      ws,
    );
    const victim = ws.find((w) => w.lines.some((l) => l.includes(' started ')))!;
    // killed 3 s into its part, with some of its frames saved: another worker resumes the part
    await new Promise((r) => setTimeout(r, 3000));
    const killedTask = / started (\S+)/.exec(victim.lines.find((l) => l.includes(' started '))!)![1]!;
    assert.ok(!victim.lines.some((l) => l.includes(` done ${killedTask}`)), 'killed mid-part');
    victim.proc.kill('SIGKILL');
    // the video's frame times were read once, by the coordinator, and kept for the workers
    const work = readdirSync(faces).find((f) => f.startsWith('.facegan-job-'))!;
    assert.ok(
      readdirSync(join(faces, work)).some((f) => /^frames-\w+\.json$/.test(f)),
      'frame index saved',
    );
    const s = await within(job, 300_000, ws);
    assert.equal(s.tasks, 3, 'three parts of about 2 s');
    assert.equal(s.frames, Object.keys(reference.frames).length);
    assert.equal(
      s.faces,
      Object.values(reference.frames).reduce((n, f) => n + f.faces.length, 0),
    );
    const other = ws.find((w) => w !== victim)!;
    assert.equal(count(other.lines, 'done').get(killedTask), 1, 'the killed part was done by the other worker');
    checkAgainstReference(faces, alignments);
  } finally {
    await stopAll(ws);
  }
});

test('Redis killed and restarted mid-job (nothing persisted): the job completes and no finished part runs again', {
  timeout: 400_000,
}, async () => {
  const ws = [workerProcess(redis.url, [tmp]), workerProcess(redis.url, [tmp])];
  try {
    await Promise.all(ws.map((w) => w.ready));
    const faces = join(tmp, 'ex-restart-faces'),
      alignments = join(tmp, 'ex-restart.alignments.json');
    const warnings: string[] = [];
    const job = extractJob({
      input: clip.video,
      output: faces,
      alignments,
      size: SIZE,
      queue: redis.url,
      partSeconds: 1,
      onWarning: (m) => warnings.push(m),
    });
    const lines = () => ws.flatMap((w) => w.lines);
    await within(
      until(() => count(lines(), 'done').size >= 2),
      200_000,
      ws,
    );
    const doneBefore = [...count(lines(), 'done').keys()];
    const seen = lines().length;
    await redis.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    redis = await startRedis(redis.port);
    const s = await within(job, 300_000, ws);
    assert.equal(s.tasks, 6);
    // (the coordinator rides out a short outage: its Redis client waits for the server to come back)
    const started = count(lines(), 'started');
    assert.equal(started.size, 6, `every part ran (${warnings.join('; ')})`);
    // the tasks still waiting were lost with Redis's memory: the coordinator queued them again
    assert.ok(
      lines()
        .slice(seen)
        .some((l) => l.includes(' started ')),
      'parts started after the restart',
    );
    for (const t of doneBefore) assert.equal(started.get(t), 1, `${t}, done before the restart, ran once`);
    checkAgainstReference(faces, alignments);
  } finally {
    await stopAll(ws);
  }
});

test('a folder of photos: tasks of a few photos (one stem per task), unreadable files said, the same faces', {
  timeout: 300_000,
}, async () => {
  const photos = join(tmp, 'ex-photos');
  mkdirSync(photos);
  for (const f of ['flickr_race_ccby_petermooney.jpg', 'obama_biden_official_composite.jpg'])
    symlinkSync(sharedData('group', f), join(photos, f));
  // one face as same.jpg and same.png: their crops need different names, settled within one task
  const face = join(sharedData('faces', 'grid_s1'), readdirSync(sharedData('faces', 'grid_s1')).sort()[0]!);
  copyFileSync(face, join(photos, 'same.jpg'));
  await sharp(face).png().toFile(join(photos, 'same.png'));
  writeFileSync(join(photos, 'notes.txt'), 'not a photo');

  const one = join(tmp, 'ex-photos-one.alignments.json');
  await extract({ input: photos, output: join(tmp, 'ex-photos-one'), alignments: one, size: SIZE });
  const faces = join(tmp, 'ex-photos-job'),
    alignments = join(tmp, 'ex-photos-job.alignments.json');
  const s = await extractJob({ input: photos, output: faces, alignments, size: SIZE, photosPerTask: 2 });
  assert.equal(s.tasks, 3, 'two photos, the text file, and same.jpg with same.png');
  assert.deepEqual(
    s.unreadable.map((u) => u.file),
    ['notes.txt'],
  );
  assert.ok(s.faces >= 4, `the faces of the group photos and the one face twice (${s.faces})`);
  const crops = readdirSync(faces).filter((f) => f.startsWith('same'));
  assert.equal(crops.length, 2, `same.jpg and same.png each have their crop (${crops.join(', ')})`);
  checkAgainstReference(faces, alignments, readAlignmentsFile(one));
  assert.ok(existsSync(join(photos, 'notes.txt')), 'inputs untouched');
});
