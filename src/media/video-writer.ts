/**
 * Writing video through ffmpeg: raw RGB frames go to its stdin and it encodes them (H.264 by default), copies the
 * audio of the source unchanged, and writes container metadata. The file is written under a temporary name beside
 * the target and renamed when complete, so an interrupted or failed encode never leaves a file that looks whole.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { addGifXmp } from '../core/gif-xmp.js';
import { writeFileAtomic } from '../io/atomic.js';

export const VIDEO_CODECS = { h264: 'libx264', h265: 'libx265', vp9: 'libvpx-vp9' } as const;
export type VideoCodec = keyof typeof VIDEO_CODECS;

export interface VideoWriterOptions {
  /** The finished file (its extension picks the container; .gif writes an animated GIF). */
  path: string;
  width: number;
  height: number;
  /** Frame rate as ffmpeg reads it: a number or a ratio ("30000/1001"). */
  fps: string;
  /** A video whose audio streams are copied in unchanged (re-encoded only where the container cannot hold them). */
  audioFrom?: string;
  /** The audio codec of audioFrom (ffprobe's name), to tell whether the container can hold it. */
  audioCodec?: string;
  codec?: VideoCodec;
  /** Constant rate factor: lower is better quality and bigger (H.264: 18 is visually lossless). */
  crf?: number;
  preset?: string;
  metadata?: Record<string, string>;
  /** An XMP packet for a GIF, whose muxer writes no metadata. */
  xmp?: string;
}

/** Audio codecs each container family can hold as they are; others are copied wherever ffmpeg allows. */
const AUDIO_IN = {
  webm: { can: ['opus', 'vorbis'], encode: ['-c:a', 'libopus', '-b:a', '128k'] },
  mp4: { can: ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'alac', 'opus', 'flac'], encode: ['-c:a', 'aac', '-b:a', '192k'] },
} as const;

/** ffmpeg's audio arguments: copy when the container can hold the codec, else encode to its usual codec. */
export function audioArgs(ext: string, codec: string | undefined): string[] {
  const family = ext === '.webm' ? AUDIO_IN.webm : ['.mp4', '.mov', '.m4v'].includes(ext) ? AUDIO_IN.mp4 : undefined;
  return family && codec && !(family.can as readonly string[]).includes(codec) ? [...family.encode] : ['-c:a', 'copy'];
}

/** The hidden file a writer of `path` fills before renaming it into place: .NAME.HEX.partial.EXT beside it. */
export const partialName = (path: string, tag: string) => {
  const ext = extname(path).toLowerCase();
  return join(dirname(path), `.${basename(path, extname(path))}.${tag}.partial${ext}`);
};

/**
 * Removes the partial files that writers of `path` left when their process died (kill -9, a power cut). Call it
 * only while holding the output's lock, so that no live writer's file is taken.
 */
export function removePartials(path: string): void {
  const dir = dirname(path),
    live = basename(partialName(path, 'X'));
  const [head, tail] = [live.slice(0, live.indexOf('.X.') + 1), live.slice(live.indexOf('.X.') + 2)];
  for (const f of readdirSync(dir)) {
    if (f.startsWith(head) && f.endsWith(tail) && /^[0-9a-f]{8}$/.test(f.slice(head.length, -tail.length))) {
      rmSync(join(dir, f), { force: true });
    }
  }
}

export class VideoWriter {
  private readonly ff: ChildProcess;
  private readonly exited: Promise<number | null>;
  private errTail = '';
  private readonly tmp: string;
  private frames = 0;
  private failed?: Error;

  constructor(private readonly o: VideoWriterOptions) {
    const ext = extname(o.path).toLowerCase();
    this.tmp = partialName(o.path, randomBytes(4).toString('hex'));
    const input = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', o.fps, '-i', 'pipe:0'];
    const audio =
      o.audioFrom && ext !== '.gif'
        ? ['-i', o.audioFrom, '-map', '0:v:0', '-map', '1:a?', ...audioArgs(ext, o.audioCodec)]
        : ['-map', '0:v:0'];
    const codec = VIDEO_CODECS[o.codec ?? 'h264'];
    const video =
      ext === '.gif'
        ? ['-filter_complex', '[0:v]split[a][b];[a]palettegen[p];[b][p]paletteuse']
        : [
            '-c:v',
            codec,
            '-crf',
            String(o.crf ?? 18),
            ...(codec === 'libvpx-vp9' ? ['-b:v', '0', '-row-mt', '1'] : ['-preset', o.preset ?? 'medium']),
            '-pix_fmt',
            'yuv420p',
            // Apple's players want H.265 in MP4/MOV tagged hvc1; x265's banner stays out of the log
            ...(codec === 'libx265'
              ? [
                  '-x265-params',
                  'log-level=error',
                  ...(['.mp4', '.mov', '.m4v'].includes(ext) ? ['-tag:v', 'hvc1'] : []),
                ]
              : []),
          ];
    const meta = Object.entries(o.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    const mov = ['.mp4', '.mov', '.m4v'].includes(ext) ? ['-movflags', '+use_metadata_tags'] : [];
    this.ff = spawn(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-y', ...input, ...audio, ...video, ...meta, ...mov, this.tmp],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.ff.stderr!.setEncoding('utf8');
    this.ff.stderr!.on('data', (s: string) => {
      this.errTail = (this.errTail + s).slice(-2000);
    });
    this.ff.stdin!.on('error', (e) => {
      this.failed ??= e;
    });
    this.exited = new Promise((res) => {
      this.ff.on('error', (e) => {
        this.failed ??= e;
        res(null);
      });
      this.ff.on('close', (code) => res(code));
    });
  }

  private error(): FaceganError {
    const why = this.errTail.trim().split('\n').slice(-2).join(' ') || this.failed?.message || 'ffmpeg stopped';
    return new FaceganError(
      ErrorCodes.BAD_FILE,
      `ffmpeg could not write ${this.o.path} (${why}); check the output name's extension and the --codec.`,
    );
  }

  /** Queues one frame; resolves when ffmpeg can take more (back-pressure). */
  async write(image: RgbImage): Promise<void> {
    if (image.width !== this.o.width || image.height !== this.o.height) {
      throw new FaceganError(
        ErrorCodes.BAD_ARGUMENT,
        `Frame ${this.frames} is ${image.width}x${image.height}; the video is ${this.o.width}x${this.o.height}.`,
      );
    }
    if (this.failed || this.ff.exitCode !== null) throw this.error();
    this.frames++;
    const stdin = this.ff.stdin!;
    if (!stdin.write(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength))) {
      await new Promise<void>((res) => {
        const done = () => {
          stdin.off('drain', done);
          this.ff.off('close', done);
          res();
        };
        stdin.on('drain', done);
        this.ff.on('close', done);
      });
    }
  }

  /** Ends the stream, waits for ffmpeg, and puts the file in place. */
  async finish(): Promise<{ path: string; frames: number }> {
    this.ff.stdin!.end();
    const code = await this.exited;
    if (code !== 0 || this.failed) {
      rmSync(this.tmp, { force: true });
      throw this.error();
    }
    if (this.o.xmp && extname(this.o.path).toLowerCase() === '.gif') {
      writeFileAtomic(this.o.path, [addGifXmp(readFileSync(this.tmp), this.o.xmp)]);
      rmSync(this.tmp, { force: true });
    } else renameSync(this.tmp, this.o.path);
    return { path: this.o.path, frames: this.frames };
  }

  /** Stops ffmpeg and removes the partial file. */
  async abort(): Promise<void> {
    this.ff.kill('SIGKILL');
    await this.exited;
    rmSync(this.tmp, { force: true });
  }
}
