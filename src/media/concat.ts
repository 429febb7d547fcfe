/**
 * Joins video parts encoded separately (the segments of work shared over machines) into one file without
 * re-encoding them (ffmpeg's concat demuxer), copies the source's audio over the whole duration once, and writes
 * the metadata. Written under a temporary name and renamed, like every video facegan writes.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { audioArgs, partialName } from './video-writer.js';

export interface JoinOptions {
  /** The parts, in order: same codec, size and rate (as one convert writes them). */
  parts: string[];
  output: string;
  /** The video whose audio goes in (copied, or encoded where the container cannot hold it). */
  audioFrom?: string;
  audioCodec?: string;
  metadata?: Record<string, string>;
  /** Where the list of parts is written (default: beside the output). */
  workDir?: string;
}

/** A path as a line of a concat list: single-quoted, with quotes escaped as the demuxer reads them. */
const listLine = (path: string) => `file '${path.replace(/'/g, "'\\''")}'`;

export function joinVideoParts(o: JoinOptions): void {
  const ext = extname(o.output).toLowerCase();
  if (ext === '.gif')
    throw new FaceganError(ErrorCodes.USAGE, 'Parts of a video cannot be joined into a GIF: write a video file.');
  const tmp = partialName(o.output, randomBytes(4).toString('hex'));
  const list = o.workDir ? join(o.workDir, `${basename(tmp)}.txt`) : `${tmp}.txt`;
  writeFileSync(list, `${o.parts.map(listLine).join('\n')}\n`);
  const audio = o.audioFrom
    ? ['-i', o.audioFrom, '-map', '0:v:0', '-map', '1:a?', ...audioArgs(ext, o.audioCodec)]
    : [];
  const meta = Object.entries(o.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  const mov = ['.mp4', '.mov', '.m4v'].includes(ext) ? ['-movflags', '+use_metadata_tags'] : [];
  try {
    const r = spawnSync(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, ...audio, '-c:v', 'copy'].concat(
        meta,
        mov,
        [tmp],
      ),
      { encoding: 'utf8' },
    );
    if (r.error || r.status !== 0)
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `ffmpeg could not join the ${o.parts.length} parts into ${o.output}: ` +
          `${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`,
      );
    renameSync(tmp, o.output);
  } finally {
    rmSync(list, { force: true });
    rmSync(tmp, { force: true });
  }
}

/** The number of video frames (packets) a file holds, read from the container without decoding. */
export function countVideoPackets(path: string): number {
  const r = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_packets',
      '-show_entries',
      'stream=nb_read_packets',
      '-of',
      'csv=p=0',
      path,
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? Number(r.stdout.trim()) || 0 : -1;
}
