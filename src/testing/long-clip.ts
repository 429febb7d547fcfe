/**
 * A long clip for tests of work shared over machines: the shared GRID clip (3 s, one face) played over and over,
 * re-encoded as H.264 + AAC with a keyframe every second, and its alignments file (the 75 frames of the clip extracted
 * once, their faces repeated with the clip). Made once per test process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { videoFrameKey } from '../core/alignments.js';
import { extract } from '../extract/extract.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { writeFileAtomic } from '../io/atomic.js';
import { sharedData } from './data.js';
import { testTmp } from './faces.js';

const made = new Map<number, Promise<{ video: string; alignments: string; frames: number }>>();

export function loopedClip(seconds: number): Promise<{ video: string; alignments: string; frames: number }> {
  let p = made.get(seconds);
  if (!p) {
    p = (async () => {
      const grid = sharedData('video', 'grid_s2_swwp2s.mpg');
      const dir = testTmp();
      const once = join(dir, `grid-once.alignments.json`);
      await extract({ input: grid, output: join(dir, 'grid-once-faces'), alignments: once, size: 64 });
      const video = join(dir, `grid-loop-${seconds}s.mp4`);
      const r = spawnSync(
        'ffmpeg',
        [
          '-nostdin',
          '-v',
          'error',
          '-y',
          '-stream_loop',
          String(Math.ceil(seconds / 3)),
          '-i',
          grid,
          '-t',
          String(seconds),
        ].concat(['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', '25', '-c:a', 'aac', video]),
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`ffmpeg could not make the looped clip: ${r.stderr}`);
      const doc = readAlignmentsFile(once);
      const clip = Object.keys(doc.frames).length; // every frame is recorded, with or without a face
      if (clip !== 75) throw new Error(`expected the 75 frames of the GRID clip in ${once}, found ${clip}`);
      const frames = Math.round(seconds * 25);
      const looped = { ...doc, frames: {} as typeof doc.frames };
      for (let i = 0; i < frames; i++) {
        const rec = doc.frames[videoFrameKey(i % clip)];
        if (rec) looped.frames[videoFrameKey(i)] = { ...rec, source: String(i), index: i, timestamp: i / 25 };
      }
      const alignments = join(dir, `grid-loop-${seconds}s.alignments.json`);
      writeFileAtomic(alignments, [JSON.stringify(looped)]);
      return { video, alignments, frames };
    })();
    made.set(seconds, p);
  }
  return p;
}
