/**
 * Where each frame of a video sits in time, read from the container (ffprobe lists the packets without decoding
 * them): the presentation time of every frame in display order, and which frames are keyframes. Work shared over
 * machines cuts a video at keyframes and decodes each part from its own seek point.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';

export interface FrameIndex {
  /** Presentation time of each frame in display order, in seconds from the container's start. */
  times: number[];
  /** Indices (into times) of the keyframes, ascending; always holds 0. */
  keyframes: number[];
  /** The container's start time: ffmpeg's timestamps (with -copyts) are times + start. */
  start: number;
}

const PROBE_ARGS = (path: string) => [
  '-v',
  'error',
  '-select_streams',
  'v:0',
  '-show_entries',
  'packet=pts_time,flags:format=start_time',
  '-of',
  'csv=p=0',
  path,
];

/**
 * Reads the frame times of the first video stream. Nothing is decoded, but ffprobe reads the whole file (about 0.3 s
 * for 200 MB from the page cache, longer from a network share): work shared over machines reads it once and keeps
 * it in the job's folder (see saveFrameIndex).
 */
export function probeFrameIndex(path: string): FrameIndex {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const known = probed.get(key);
  if (known) return known;
  const r = spawnSync('ffprobe', PROBE_ARGS(path), { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 || r.error)
    throw new FaceganError(ErrorCodes.BAD_FILE, `ffprobe could not list the frames of ${path}: ${r.stderr?.trim()}`);
  const index = parseIndex(path, r.stdout);
  probed.set(key, index);
  if (probed.size > 4) probed.delete(probed.keys().next().value!);
  return index;
}

/** The last few indexes read, by path, size and time (a coordinator plans a job, then saves its indexes). */
const probed = new Map<string, FrameIndex>();

/** probeFrameIndex without blocking the event loop (a worker must keep renewing its task's lock meanwhile). */
export function probeFrameIndexAsync(path: string): Promise<FrameIndex> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffprobe', PROBE_ARGS(path), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0)
        reject(new FaceganError(ErrorCodes.BAD_FILE, `ffprobe could not list the frames of ${path}: ${err.trim()}`));
      else {
        try {
          resolve(parseIndex(path, Buffer.concat(out).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}

function parseIndex(path: string, stdout: string): FrameIndex {
  const lines = stdout.trim().split('\n');
  const start = Number(lines.pop()) || 0; // the format section comes last
  const packets: { t: number; key: boolean }[] = [];
  for (const line of lines) {
    const [t, flags] = line.split(',');
    const time = Number(t);
    if (t === 'N/A' || !Number.isFinite(time))
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `${path} has frames without a presentation time, so it cannot be cut into parts: convert it without --queue, ` +
          'or remux it first (ffmpeg -i IN -c copy OUT.mp4).',
      );
    // packets flagged D (an edit list cuts them, e.g. a clip cut with -c copy) are decoded but never shown
    if (flags?.includes('D')) continue;
    packets.push({ t: time - start, key: !!flags?.startsWith('K') });
  }
  packets.sort((a, b) => a.t - b.t);
  const keyframes = packets.flatMap((p, i) => (p.key ? [i] : []));
  if (keyframes[0] !== 0) keyframes.unshift(0);
  return { times: packets.map((p) => p.t), keyframes, start };
}

/**
 * How ffmpeg decodes from frame `frame` on: it seeks (-ss, as a keyframe index is a guess for some containers) a
 * second before the keyframe at or before the frame, decodes from wherever it lands, and drops the frames before
 * `threshold` (absolute, -copyts time, half a frame before the frame's own). `expect` is the first kept frame's
 * time, to check where the seek landed: MPEG program streams seek by bytes and can land past it.
 */
export function seekPlan(index: FrameIndex, frame: number): { seek: number; threshold: number; expect: number } {
  const t = index.times[frame]!,
    before = frame > 0 ? index.times[frame - 1]! : t - 1;
  const key = index.keyframes.filter((k) => k <= frame).at(-1) ?? 0;
  return {
    seek: Math.max(0, index.times[key]! - 1),
    threshold: index.start + (t + before) / 2,
    expect: index.start + t,
  };
}

/**
 * Cuts frames [0, total) into parts of at least `seconds` each (the first keyframe at or after each mark starts the
 * next part), so that every part starts at a keyframe; a last part shorter than half the length joins the one
 * before. Returns [from, to) frame ranges.
 */
export function cutAtKeyframes(index: FrameIndex, seconds: number): { from: number; to: number }[] {
  const total = index.times.length;
  const starts = [0];
  let next = seconds;
  for (const k of index.keyframes) {
    if (k === 0) continue;
    const t = index.times[k]!;
    if (t >= next - 1e-3) {
      starts.push(k);
      next = t + seconds;
    }
  }
  // a last part of less than half the length joins the one before
  if (starts.length > 1 && index.times[total - 1]! - index.times[starts.at(-1)!]! < seconds / 2) starts.pop();
  return starts.map((from, i) => ({ from, to: starts[i + 1] ?? total }));
}

/** A frame index kept in a file, with the video's size and time when it was read. */
interface SavedIndex {
  video: string;
  size: number;
  mtimeMs: number;
  index: FrameIndex;
}

/** Writes `video`'s frame index to `file` (atomically), for workers that would otherwise each read the whole video. */
export function saveFrameIndex(file: string, video: string, index: FrameIndex): void {
  const st = statSync(video);
  const saved: SavedIndex = { video, size: st.size, mtimeMs: st.mtimeMs, index };
  writeFileAtomic(file, [JSON.stringify(saved)]);
}

/** The frame index saved in `file` for `video`, if it is there and the video has not changed since. */
export function loadFrameIndex(file: string, video: string): FrameIndex | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedIndex;
    const st = statSync(video);
    const same = saved.video === video && saved.size === st.size && saved.mtimeMs === st.mtimeMs;
    return same && Array.isArray(saved.index?.times) ? saved.index : undefined;
  } catch {
    return undefined; // not there or unreadable: the caller probes the video itself
  }
}
