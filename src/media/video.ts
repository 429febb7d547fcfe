/**
 * Reading video through Debian's ffmpeg/ffprobe: frames stream as raw RGB over a pipe (nothing is written to
 * disk). ffmpeg applies the display matrix (a phone's rotation flag) as it decodes, so frames come upright and
 * the sizes reported here are the upright ones. Each frame carries its index and presentation time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { probeFrameIndexAsync, seekPlan, type FrameIndex } from './video-index.js';

export const VIDEO_EXTENSIONS = [
  '.mp4',
  '.mov',
  '.mkv',
  '.avi',
  '.webm',
  '.mpg',
  '.mpeg',
  '.m4v',
  '.wmv',
  '.flv',
  '.ts',
  '.3gp',
] as const;

export interface VideoInfo {
  path: string;
  /** Upright size, after the display matrix. */
  width: number;
  height: number;
  /** The display matrix rotation in degrees (0 when none), as ffprobe reports it. */
  rotation: number;
  /** Average frames per second. */
  fps: number;
  /** The frame rate as ffprobe states it ("25/1", "30000/1001"), for writing a video at exactly the same rate. */
  rate: string;
  /** Seconds. */
  duration: number;
  /** Frame count when the container states it (else estimated from duration and fps). */
  frames: number;
  codec: string;
  hasAudio: boolean;
  /** The first audio stream's codec (ffprobe's name), when there is one. */
  audioCodec?: string;
}

export interface VideoFrame {
  index: number;
  /** Presentation time in seconds from the start. */
  timestamp: number;
  image: RgbImage;
}

/** How much decoded video may wait for the caller (frames at 720p: 2.8 MB each), within 2-16 frames. */
const READ_AHEAD_BYTES = 32 << 20;

const NO_FFMPEG = 'ffmpeg/ffprobe were not found: install them (sudo apt-get install -y ffmpeg), or run ./setup.sh.';

function checkTool(tool: 'ffmpeg' | 'ffprobe'): void {
  const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
  if (r.error) throw new FaceganError(ErrorCodes.NO_ENGINE, NO_FFMPEG);
}

const ratio = (r: string | undefined) => {
  const [n, d] = (r ?? '0/1').split('/').map(Number);
  return d ? n! / d : 0;
};

/** What a video holds, or a clear error when it is not one ffmpeg can read. */
export function probeVideo(path: string): VideoInfo {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new FaceganError(ErrorCodes.BAD_FILE, `No video at ${path}: check the path given with -i.`);
  checkTool('ffprobe');
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  type Stream = {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    side_data_list?: { rotation?: number }[];
    tags?: { rotate?: string };
  };
  let parsed: { streams?: Stream[]; format?: { duration?: string } } = {};
  try {
    parsed = JSON.parse(r.stdout || '{}') as typeof parsed;
  } catch {
    /* reported below */
  }
  const video = parsed.streams?.find((s) => s.codec_type === 'video' && s.width);
  if (r.status !== 0 || !video) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} is not a video ffmpeg can read (${(r.stderr || 'no video stream').trim().split('\n')[0]}).`,
    );
  }
  const rotation =
    video.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(video.tags?.rotate ?? 0);
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const fps = ratio(video.avg_frame_rate) || ratio(video.r_frame_rate) || 25;
  const rate = ratio(video.avg_frame_rate)
    ? video.avg_frame_rate!
    : ratio(video.r_frame_rate)
      ? video.r_frame_rate!
      : '25';
  const duration = Number(video.duration ?? parsed.format?.duration ?? 0);
  return {
    path,
    width: quarter ? video.height! : video.width!,
    height: quarter ? video.width! : video.height!,
    rotation,
    fps,
    rate,
    duration,
    frames: Number(video.nb_frames) || Math.round(duration * fps),
    codec: video.codec_name,
    hasAudio: parsed.streams?.some((s) => s.codec_type === 'audio') ?? false,
    audioCodec: parsed.streams?.find((s) => s.codec_type === 'audio')?.codec_name,
  };
}

/** Frames [from, to) of a video, found by their times (see probeFrameIndex). */
export interface FrameRange {
  from: number;
  to: number;
  /** The video's frame times (read when not given). */
  index?: FrameIndex;
  /** Decode from the start instead of seeking (after a seek that landed past the range). */
  fromStart?: boolean;
}

/**
 * Decodes every frame (or every n-th) as upright RGB, or only the frames of `range` (ffmpeg seeks to the keyframe
 * before it and decodes from there). Stops ffmpeg cleanly when the loop is left early.
 * @example
 * for await (const { index, timestamp, image } of readFrames('clip.mp4')) console.log(index, timestamp, image.width);
 */
export async function* readFrames(
  path: string,
  options: {
    everyN?: number;
    signal?: AbortSignal;
    info?: VideoInfo;
    onWarning?: (message: string) => void;
    range?: FrameRange;
  } = {},
): AsyncGenerator<VideoFrame> {
  const info = options.info ?? probeVideo(path);
  checkTool('ffmpeg');
  const range = options.range;
  if (range && options.everyN && options.everyN > 1)
    throw new FaceganError(ErrorCodes.BAD_ARGUMENT, 'readFrames: a frame range reads every frame (everyN 1).');
  const frameIndex = range ? (range.index ?? (await probeFrameIndexAsync(path))) : undefined;
  const first = range ? Math.max(0, range.from) : 0;
  const wanted = range ? Math.max(0, Math.min(range.to, frameIndex!.times.length) - first) : 0;
  const plan = range && first > 0 ? seekPlan(frameIndex!, first) : undefined;
  const seek = plan && !range?.fromStart ? ['-ss', plan.seek.toFixed(6), '-noaccurate_seek'] : [];
  const everyN = options.everyN ?? 1;
  const frameBytes = info.width * info.height * 3;
  // showinfo prints each decoded frame's pts_time on stderr, in order; the select filter keeps every n-th, or the
  // frames from the range's first on (by their original times: -copyts)
  const filters = [
    ...(everyN > 1 ? [`select='not(mod(n\\,${everyN}))'`] : []),
    ...(plan ? [`select='gte(t\\,${plan.threshold.toFixed(6)})'`] : []),
    'showinfo',
  ];
  const ff = spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-v',
      'info',
      ...seek,
      ...(plan ? ['-copyts'] : []),
      '-i',
      path,
      '-map',
      '0:v:0',
      '-vf',
      filters.join(','),
      '-fps_mode',
      'passthrough',
      ...(range ? ['-frames:v', String(wanted)] : []),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const times: { n: number; t: number }[] = [];
  let errTail = '',
    partial = '';
  ff.stderr.setEncoding('utf8');
  ff.stderr.on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = /Parsed_showinfo.*\bn:\s*(\d+).*\bpts_time:\s*(-?[\d.]+)/.exec(line);
      if (m) {
        times.push({ n: Number(m[1]), t: Number(m[2]) });
        if (times.length === 1) notify();
      } else errTail = `${errTail + line}\n`.slice(-2000);
    }
  });
  const exited = new Promise<number | null>((res) => ff.on('close', (code) => res(code)));
  // ffmpeg decodes ahead while the caller works: frames queue up to READ_AHEAD_BYTES, then the pipe is paused.
  // Each frame's bytes are copied once, straight from the pipe's chunks into the frame's own buffer.
  const ahead = Math.min(16, Math.max(2, Math.floor(READ_AHEAD_BYTES / frameBytes)));
  const queue: Uint8Array[] = [];
  let data = new Uint8Array(frameBytes),
    filled = 0,
    count = 0,
    finished = false,
    ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let restart = false;
  ff.stdout.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(frameBytes - filled, chunk.length - at);
      data.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled < frameBytes) break;
      queue.push(data);
      data = new Uint8Array(frameBytes);
      filled = 0;
    }
    if (queue.length >= ahead) ff.stdout.pause();
    notify();
  });
  const stop = () => {
    ended = true;
    notify();
  };
  let pipeError: Error | undefined;
  ff.stdout.on('error', (e) => {
    pipeError ??= e;
    stop();
  });
  ff.stdout.on('end', stop);
  ff.on('close', stop);
  options.signal?.addEventListener('abort', notify);
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      const frame = queue.shift();
      if (!frame) {
        if (ended) break;
        await new Promise<void>((res) => {
          wake = res;
        });
        continue;
      }
      if (plan && count === 0 && !range!.fromStart) {
        // where did the seek land? The first kept frame's time says (showinfo prints it before the frame is out)
        while (!times.length && !ended) await new Promise<void>((res) => (wake = res));
        const landed = times[0]?.t;
        const frameTime = 1 / Math.max(1, info.fps);
        if (landed === undefined || Math.abs(landed - plan.expect) > frameTime / 4) {
          restart = true;
          break;
        }
      }
      if (queue.length < ahead) ff.stdout.resume();
      const index = first + count * everyN;
      // the frame's own pts_time when showinfo has printed it already; else from the frame rate
      const shown = range ? { t: frameIndex!.times[index] ?? index / info.fps } : times[count];
      yield {
        index,
        timestamp: shown ? Math.round(shown.t * 1e6) / 1e6 : index / info.fps,
        image: { width: info.width, height: info.height, data: frame },
      };
      count++;
    }
    if (pipeError)
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `Reading the frames of ${path} from ffmpeg failed: ${pipeError.message}`,
      );
    // a seek that landed past the end gives no frame at all: decode from the start too
    if (plan && !range!.fromStart && count === 0 && wanted > 0 && !options.signal?.aborted) restart = true;
    finished = !options.signal?.aborted && !restart;
  } finally {
    options.signal?.removeEventListener('abort', notify);
    if (!finished) {
      // a paused pipe would keep ffmpeg's 'close' from ever coming
      ff.stdout.destroy();
      ff.kill('SIGKILL');
    }
    const code = await exited;
    if (finished && code !== 0) {
      // biome-ignore lint/correctness/noUnsafeFinally: thrown only when the try finished, so nothing is hidden
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `ffmpeg could not decode ${path} after ${count} frames: ${errTail.trim().split('\n').slice(-2).join(' ')}`,
      );
    }
    const read = Math.min(info.frames, (count - 1) * everyN + 1); // frames decoded up to the last one kept
    if (range && finished && count < wanted && !restart) {
      // biome-ignore lint/correctness/noUnsafeFinally: thrown only when the try finished, so nothing is hidden
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `ffmpeg gave ${count} of the ${wanted} frames from frame ${first} of ${path}: the file may be damaged there.`,
      );
    }
    if (!range && finished && info.frames > 0 && read < info.frames - everyN - Math.max(2, info.frames * 0.01)) {
      options.onWarning?.(
        `${path} ended after ${read} of the ${info.frames} frames it states (${(read / info.fps).toFixed(1)} s of ` +
          `${info.duration.toFixed(1)} s): the file is probably cut short, and only the frames it holds were used.`,
      );
    }
  }
  // the seek landed past the range's first frame: decode from the start instead (slower, always exact)
  if (restart) yield* readFrames(path, { ...options, info, range: { ...range!, index: frameIndex, fromStart: true } });
}

export function isVideoFile(path: string): boolean {
  const lower = path.toLowerCase();
  return VIDEO_EXTENSIONS.some((e) => lower.endsWith(e));
}
