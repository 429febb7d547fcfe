/**
 * Extracted faces for tests of the later stages: the first `count` frames of a shared faces folder (links to the
 * shared frames, never copies), extracted once. Under `npm test` they are extracted once for the whole suite, into
 * the runner's fixture folder (FACEGAN_TEST_FIXTURES), and shared by every test file, which must not write into them
 * (each test file, at its first use of a fixture, checks its files are as they were made); a test file run on its own
 * extracts them into its own temporary folder. The runner runs two files at a time: a fixture is made under a lock
 * (the lock of facegan's own writers), so that the second file to ask waits for the first's and then reads it.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { sharedData } from './data.js';
import { extract } from '../extract/extract.js';
import { lockAt } from '../io/lock.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { testTmp } from './tmp.js';

export { testTmp };

const made = new Map<string, Promise<FaceFixture>>();

/** The folders and file of one extracted fixture. */
export interface FaceFixture {
  /** links to the shared frames that were read */
  frames: string;
  /** the aligned crops */
  faces: string;
  /** the alignments file of the extract */
  alignments: string;
}

/** The first `count` frames of shared/data/faces/NAME, extracted at `size` px (see the file's comment). */
export function extractedFixture(name: string, count: number, size = 128): Promise<FaceFixture> {
  const key = `${name}-${count}-${size}`;
  let p = made.get(key);
  if (!p) {
    p = (async () => {
      const at = join(process.env.FACEGAN_TEST_FIXTURES ?? testTmp(), key);
      const release = await lockWhenFree(`${at}.lock`, `the test fixture ${key}`);
      try {
        return await readOrMake(at, name, count, size);
      } finally {
        release();
      }
    })();
    made.set(key, p);
  }
  return p;
}

/** The fixture at `at` if it is whole and as made, else made afresh there (the caller holds its lock). */
async function readOrMake(at: string, name: string, count: number, size: number): Promise<FaceFixture> {
  const fixture = { frames: join(at, 'frames'), faces: join(at, 'faces'), alignments: join(at, 'alignments.json') };
  // the manifest is written last: a folder without it is the leftover of a killed test file, made again
  const manifest = join(at, 'manifest.txt');
  if (existsSync(manifest)) {
    if (listing(fixture) !== readFileSync(manifest, 'utf8')) {
      throw new Error(`a test file changed the shared fixture ${at}: tests must copy fixtures before writing`);
    }
    return fixture;
  }
  rmSync(at, { recursive: true, force: true });
  mkdirSync(fixture.frames, { recursive: true });
  const src = sharedData('faces', name);
  for (const f of readdirSync(src).sort().slice(0, count)) symlinkSync(join(src, f), join(fixture.frames, f));
  // training fixtures of one large face per frame: Human alone finds them, at a third of both's cost
  await extract({
    input: fixture.frames,
    output: fixture.faces,
    alignments: fixture.alignments,
    size,
    detector: 'human',
  });
  writeFileSync(manifest, listing(fixture));
  return fixture;
}

/** Takes the lock file `path`, waiting while another live process holds it. */
async function lockWhenFree(path: string, subject: string): Promise<() => void> {
  for (;;) {
    try {
      return lockAt(path, subject, 'npm test');
    } catch (e) {
      if (!(e instanceof FaceganError && e.code === ErrorCodes.USAGE)) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Each file of a fixture with its size and time of change: what a later test file checks before it reads it. */
function listing(f: FaceFixture): string {
  const entries = [f.frames, f.faces].flatMap((dir) => readdirSync(dir).map((n) => join(dir, n)));
  return [...entries.sort(), f.alignments]
    .map((p) => {
      const s = lstatSync(p);
      return `${p} ${s.size} ${s.mtimeMs}\n`;
    })
    .join('');
}

/** A folder of aligned faces extracted from the first `count` frames of shared/data/faces/NAME. */
export async function extractedFaces(name: string, count: number, size = 128): Promise<string> {
  return (await extractedFixture(name, count, size)).faces;
}
