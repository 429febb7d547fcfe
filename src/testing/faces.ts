/**
 * Extracted faces for tests of the later stages: the first `count` frames of a shared faces folder, extracted
 * once per test process into a temporary folder (links to the shared frames, never copies).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from './data.js';
import { extract } from '../extract/extract.js';

let root: string | undefined;
const made = new Map<string, Promise<string>>();

export function testTmp(): string {
  if (!root) {
    const dir = mkdtempSync(join(tmpdir(), 'facegan-test-'));
    root = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return root;
}

/** A folder of aligned faces extracted from the first `count` frames of shared/data/faces/NAME. */
export function extractedFaces(name: string, count: number, size = 128): Promise<string> {
  const key = `${name}:${count}:${size}`;
  let p = made.get(key);
  if (!p) {
    p = (async () => {
      const frames = join(testTmp(), `${name}-${count}-frames`),
        faces = join(testTmp(), `${name}-${count}-${size}`);
      mkdirSync(frames, { recursive: true });
      const src = sharedData('faces', name);
      for (const f of readdirSync(src).sort().slice(0, count)) symlinkSync(join(src, f), join(frames, f));
      await extract({
        input: frames,
        output: faces,
        alignments: join(testTmp(), `${name}-${count}-${size}.json`),
        size,
        // training fixtures of one large face per frame: Human alone finds them, at a third of both's cost
        detector: 'human',
      });
      return faces;
    })();
    made.set(key, p);
  }
  return p;
}
