/**
 * convert shared over workers through a real redis-server (started here on a loopback port): an 8 s clip made from
 * the shared GRID video, parts cut at keyframes and converted by 3 worker processes, joined with the audio copied
 * once. Checked against one process converting the whole clip; then workers and the coordinator killed with -9.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { testTmp } from '../testing/faces.js';
import { tinySwapModel } from '../testing/swap-model.js';
import { loopedClip } from '../testing/long-clip.js';
import { sharedData } from '../testing/data.js';
import { startRedis, type TestRedis } from '../testing/redis.js';
import {
  BIN,
  ROOT,
  count,
  stopAll,
  until,
  within,
  workerEnv,
  workerProcess as spawnWorker,
} from '../testing/queue-workers.js';
import { convert } from '../convert/convert.js';
import { readFrames } from '../media/video.js';
import { DIGITAL_SOURCE_TYPE, readImageSourceType, readVideoSourceType } from '../media/provenance.js';
import { ErrorCodes, type FaceganError } from '../core/errors.js';
import { convertJob } from './convert-job.js';
import { startWorker, type WorkerEvent } from './worker.js';

let redis: TestRedis, model: string, tmp: string, clip: { video: string; alignments: string; frames: number };
let reference: Uint8Array[] = [];
// the same settings everywhere: a low crf, so that two encodes of the same frames differ little
const SETTINGS = { crf: 12, precision: 'fp32' } as const;
// four parts, each two keyframes long (the clip has one every second)
const [CLIP_SECONDS, PART_SECONDS] = [8, 2];
const PARTS = CLIP_SECONDS / PART_SECONDS;

before(async () => {
  tmp = testTmp();
  redis = await startRedis();
  model = join(tmp, 'queue-model');
  await tinySwapModel(model);
  clip = await loopedClip(CLIP_SECONDS);
  const whole = join(tmp, 'queue-whole.mp4');
  await convert({ input: clip.video, output: whole, modelDir: model, alignments: clip.alignments, ...SETTINGS });
  reference = await frames(whole);
});
after(async () => redis?.stop());

async function frames(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of readFrames(path)) out.push(f.image.data);
  return out;
}
const psnr = (a: Uint8Array, b: Uint8Array) => {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? 99 : 10 * Math.log10((255 * 255) / (se / a.length));
};
/** The audio packets of a file as ffprobe lists them: sizes and times, or sizes alone (across containers). */
const audioPackets = (p: string, entries = 'packet=size,pts') =>
  spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', entries, '-of', 'csv=p=0', p], {
    encoding: 'utf8',
  }).stdout;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** The clip converted over the queue in parts of PART_SECONDS, with the reference's settings. */
const clipJob = (output: string) => ({
  input: clip.video,
  output,
  modelDir: model,
  alignments: clip.alignments,
  ...SETTINGS,
  queue: redis.url,
  partSeconds: PART_SECONDS,
});

/** Checks a joined output against the whole-clip reference: frame count exact, every frame >= 40 dB, same audio. */
async function checkAgainstReference(out: string): Promise<void> {
  const got = await frames(out);
  assert.equal(got.length, reference.length, 'the same number of frames as one process wrote');
  let worst = 99;
  for (let i = 0; i < got.length; i++) worst = Math.min(worst, psnr(got[i]!, reference[i]!));
  assert.ok(worst >= 40, `every frame within 40 dB of one process's (worst ${worst.toFixed(2)} dB)`);
  const packets = audioPackets(out);
  // AAC at 44.1 kHz: 43 packets a second
  assert.ok(packets.split('\n').length > CLIP_SECONDS * 40, "the whole clip's audio");
  assert.equal(packets, audioPackets(join(tmp, 'queue-whole.mp4')), 'the same audio packets as one process wrote');
  assert.equal(readVideoSourceType(out), DIGITAL_SOURCE_TYPE, 'labelled as synthetic');
}

const workerProcess = (roots: string[] = [tmp]) => spawnWorker(redis.url, roots);

test(`an ${CLIP_SECONDS} s clip over 3 workers, one killed -9 mid-part: frames exact against one process, >= 40 dB, ` +
  'same audio', {
  timeout: 600_000,
}, async () => {
  const ws = [workerProcess(), workerProcess(), workerProcess()];
  try {
    await Promise.all(ws.map((w) => w.ready));
    const out = join(tmp, 'queue-3workers.mp4');
    const before = sha(clip.video);
    const job = convertJob(clipJob(out));
    // the first worker to start a part is killed 3 s into it: its part runs again on another
    await within(
      until(() => ws.some((x) => x.lines.some((l) => l.includes(' started ')))),
      120_000,
      ws,
    );
    const victim = ws.find((x) => x.lines.some((l) => l.includes(' started ')))!;
    await new Promise((r) => setTimeout(r, 3000));
    const killedTask = / started (\S+)/.exec(victim.lines.find((l) => l.includes(' started '))!)![1]!;
    assert.ok(!victim.lines.some((l) => l.includes(` done ${killedTask}`)), 'killed mid-part');
    victim.proc.kill('SIGKILL');
    const s = await within(job, 400_000, ws);
    assert.equal(s.tasks, PARTS, `${PARTS} parts of ${PART_SECONDS} s`);
    assert.equal(sha(clip.video), before, 'the input is unchanged');
    await checkAgainstReference(out);
    const others = ws.filter((w) => w !== victim);
    const done = count(
      others.flatMap((w) => w.lines),
      'done',
    );
    assert.equal(done.get(killedTask), 1, 'the killed part was done by another worker');
    assert.equal(done.size + count(victim.lines, 'done').size, PARTS, 'every part done');
    assert.ok(
      [...done.values()].every((n) => n === 1),
      'none twice',
    );
    assert.ok(
      others.every((w) => w.lines.some((l) => l.includes(' done '))),
      'the parts were shared out',
    );
    assert.ok(!existsSync(join(tmp, `.queue-3workers.mp4.facegan-job-${s.job}`)), 'the parts are cleaned up');
  } finally {
    await stopAll(ws);
  }
});

test('kill -9 of the coordinator, then the same command again: the parts done are kept, none is done twice', {
  timeout: 600_000,
}, async () => {
  const ws = [workerProcess(), workerProcess()];
  try {
    await Promise.all(ws.map((w) => w.ready));
    const out = join(tmp, 'queue-killed-coordinator.mp4');
    const args = [
      BIN,
      'convert',
      '-i',
      clip.video,
      '-o',
      out,
      '-m',
      model,
      '-a',
      clip.alignments,
      '--crf',
      '12',
    ].concat(['--precision', 'fp32', '--queue', redis.url, '--part-seconds', String(PART_SECONDS)]);
    const first = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env: workerEnv });
    // kill it once two parts are done
    await until(
      () =>
        count(
          ws.flatMap((w) => w.lines),
          'done',
        ).size >= 2,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.on('exit', r));
    const work = readdirSync(tmp).find((f) => f.startsWith('.queue-killed-coordinator.mp4.facegan-job-'));
    assert.ok(work, 'the parts folder is there after the kill');
    // (not spawnSync: the workers' lines must keep arriving meanwhile)
    const again = await new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
      const p = spawn(process.execPath, args, { cwd: ROOT, env: workerEnv });
      let stdout = '',
        stderr = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
      p.on('close', (status) => res({ status, stdout, stderr }));
    });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`${PARTS} tasks \\([2-${PARTS}] done by an earlier run\\)`));
    const lines = ws.flatMap((w) => w.lines);
    const started = count(lines, 'started'),
      done = count(lines, 'done');
    assert.equal(done.size, PARTS);
    assert.ok(
      [...started.values(), ...done.values()].every((n) => n === 1),
      'no part started or done twice',
    );
    assert.equal((await frames(out)).length, reference.length);
    assert.equal(readVideoSourceType(out), DIGITAL_SOURCE_TYPE);
  } finally {
    await stopAll(ws);
  }
});

test('clear errors that lose nothing: a bad URL, Redis down, and a worker of another version', {
  timeout: 300_000,
}, async () => {
  const short = join(tmp, 'queue-short.mp4');
  for (const queue of ['http://localhost:6379', 'redis://', 'not a url']) {
    await assert.rejects(convertJob({ ...clipJob(short), queue }), (e: FaceganError) => {
      assert.equal(e.code, ErrorCodes.USAGE);
      assert.match(e.message, /Expected a Redis URL such as redis:\/\/localhost:6379/);
      return true;
    });
  }
  // a port where nothing listens
  await assert.rejects(convertJob({ ...clipJob(short), queue: 'redis://127.0.0.1:1' }), (e: FaceganError) => {
    assert.equal(e.code, ErrorCodes.QUEUE);
    assert.match(e.message, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*Nothing was queued/);
    return true;
  });
  assert.ok(!existsSync(short), 'no output');
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.startsWith('.queue-short')),
    [],
    'no parts folder, no lock left',
  );

  // a worker of another version leaves the tasks alone (the coordinator says so); one of ours then does them
  const events: WorkerEvent[] = [];
  const other = await startWorker({
    queue: redis.url,
    roots: [tmp],
    version: '0.0.0-other',
    onEvent: (e) => events.push(e),
  });
  const warnings: string[] = [];
  const job = convertJob({ ...clipJob(short), partSeconds: CLIP_SECONDS / 2, onWarning: (m) => warnings.push(m) });
  try {
    await until(() => events.some((e) => e.kind === 'left') && warnings.length > 0);
    assert.match(events.find((e) => e.kind === 'left')!.message!, /queued by facegan .*this worker runs 0\.0\.0-other/);
    assert.match(warnings[0]!, /No worker of facegan .* is connected .*0\.0\.0-other/);
    assert.ok(!events.some((e) => e.kind === 'started'), 'the other version ran nothing');
  } finally {
    await other.close();
  }
  const ours = workerProcess();
  try {
    const s = await job;
    assert.equal(s.tasks, 2);
    assert.equal((await frames(short)).length, reference.length, 'nothing lost');
  } finally {
    await stopAll([ours]);
  }
});

test('a batch of 5 photos and 2 videos is one job: each photo a task, each video in parts, all labelled', {
  timeout: 600_000,
}, async () => {
  const batch = join(tmp, 'queue-batch');
  mkdirSync(batch, { recursive: true });
  const faces = sharedData('faces', 'grid_s1');
  for (const f of readdirSync(faces).sort().slice(0, 5)) symlinkSync(join(faces, f), join(batch, f));
  const grid = sharedData('video', 'grid_s2_swwp2s.mpg');
  symlinkSync(grid, join(batch, 'grid.mpg'));
  // 4 s of the phone clip (two parts: its second keyframe is at 3.5 s), still with its rotation flag
  const phone = join(batch, 'phone.mp4');
  const cut = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', sharedData('video', 'new_face_video-90_ccby_aarontang.mp4')].concat([
      '-t',
      '4',
      '-c',
      'copy',
      phone,
    ]),
  );
  assert.equal(cut.status, 0);
  const out = join(tmp, 'queue-batch-out');
  // the photos and the GRID clip are links into the shared data: the workers may read there too
  const roots = [tmp, sharedData()];
  const ws = [workerProcess(roots), workerProcess(roots)];
  try {
    await Promise.all(ws.map((w) => w.ready));
    const s = await within(
      convertJob({ input: batch, output: out, modelDir: model, queue: redis.url, partSeconds: 1 }),
      400_000,
      ws,
    );
    assert.ok(s.tasks >= 8, `5 photos and the videos' parts (${s.tasks} tasks)`);
    assert.equal(s.outputs.length, 7);
    for (const f of readdirSync(faces).sort().slice(0, 5)) {
      assert.equal(await readImageSourceType(join(out, f)), DIGITAL_SOURCE_TYPE, `${f} labelled`);
    }
    for (const [name, input] of [
      ['grid.mp4', grid], // an MPEG program stream comes out as MP4
      ['phone.mp4', phone],
    ] as const) {
      const path = join(out, name);
      assert.equal((await frames(path)).length, (await frames(input)).length, `${name}: every frame`);
      assert.equal(audioPackets(path, 'packet=size'), audioPackets(input, 'packet=size'), `${name}: the audio packets`);
      assert.equal(readVideoSourceType(path), DIGITAL_SOURCE_TYPE, `${name} labelled`);
    }
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith('.facegan-job')),
      [],
      'parts cleaned up',
    );
  } finally {
    await stopAll(ws);
  }
});
