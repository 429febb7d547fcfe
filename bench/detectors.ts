/**
 * npm run bench -- detectors: recall, precision, rolls and time of each face detector setting on hard stills, the
 * table in docs/extract.md. The pictures: the five shared group photos (faces counted by eye), and three built from
 * the shared faces with sharp (src/testing/collages.ts): faces turned every way at 110 px, 16 faces of 30-60 px
 * turned every way on a 2400 x 1600 landscape (a frame of the shared rotated clip), and faces with a third covered.
 * A frame of that clip without people checks for false faces. One JSON line: per setting and picture set, faces
 * found of those there, those of 40 px or more, found twice, false faces, rolls off by over 10 degrees, seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { OptionSchema } from '../src/core/options.js';
import type { RgbImage } from '../src/core/image.js';
import { sharedData } from '../src/testing/data.js';
import { angleApart, collage, matchFaces, type FacePlacement, type TrueFace } from '../src/testing/collages.js';
import { createDetector } from '../src/faces/detectors.js';
import { DETECTOR_IDS, type DetectedFace, type DetectorId } from '../src/faces/detected.js';

export const detectorsOptions = {
  detectors: { type: 'list', help: 'settings to measure (human, ssd, both)', default: [...DETECTOR_IDS] },
} as const satisfies OptionSchema;

/** The shared group photos and their faces of 40 px or more, counted by eye. */
const GROUP: Record<string, number> = {
  'flickr_race_ccby_petermooney.jpg': 2, // the two runners in front; the crowd behind is 10-25 px
  'nasa_expedition1_crew.jpg': 3,
  'nasa_sts106_crew.jpg': 7,
  'obama_biden_official_composite.jpg': 2,
  'pixabay_girl-1741925_two_faces.jpg': 2,
};

const POOL: [string, string][] = [
  ...[1, 2, 3, 4, 5, 7, 8, 9, 10].map((c) => ['obama', `obama_wa_c${String(c).padStart(2, '0')}_0001.jpg`]),
  ['obama', 'obama_wa_c06_0002.jpg'],
  ['grid_s1', 'grid_s1_bbaf2n_0001.jpg'],
  ['grid_s2', 'grid_s2_pwij3p_0001.jpg'],
  ['grid_s2', 'grid_s2_swwp2s_0030.jpg'],
  ['grid_s1', 'grid_s1_bbaf2n_0040.jpg'],
  ['obama', 'obama_still_official_portrait_2012_souza.jpg'],
  ['obama', 'obama_still_blue_room_2010_souza.jpg'],
] as [string, string][];
const TURNS = [0, 90, 180, 270, 45, -45, 135, 0];

const read = async (path: string): Promise<RgbImage> => {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
};

interface Row {
  faces: number;
  found: number;
  faces40: number;
  found40: number;
  twice: number;
  falseFaces: number;
  rollsOff: number;
  seconds: number;
}

function score(truth: readonly TrueFace[], found: readonly DetectedFace[], seconds: number): Row {
  const { matched, extra } = matchFaces(truth, found);
  const big = truth.map((t) => t.side >= 40);
  return {
    faces: truth.length,
    found: matched.filter(Boolean).length,
    faces40: big.filter(Boolean).length,
    found40: matched.filter((f, i) => f && big[i]).length,
    // (a box that holds two placed centres counts for both: never below 0)
    twice: Math.max(0, found.length - extra.length - matched.filter(Boolean).length),
    falseFaces: extra.length,
    rollsOff: matched.filter((f, i) => f && angleApart((f.angles.roll * 180) / Math.PI, truth[i]!.roll) > 10).length,
    seconds: Math.round(seconds * 10) / 10,
  };
}

export async function benchDetectors(o: { detectors: string[] }): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'facegan-bench-detectors-'));
  try {
    const landscape = join(tmp, 'landscape.png');
    const clip = sharedData('video', 'new_face_video-90_ccby_aarontang.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-i', clip, '-vf', 'select=eq(n\\,400)', '-frames:v', '1', landscape]);
    const at = (i: number, cols: number, dx: number, dy: number, x0: number, y0: number) => ({
      x: x0 + (i % cols) * dx,
      y: y0 + Math.floor(i / cols) * dy,
    });
    const sets = {
      turned: await collage(
        1200,
        600,
        POOL.slice(0, 8).map((file, i) => ({ file, side: 110, angle: TURNS[i]!, ...at(i, 4, 300, 300, 150, 150) })),
      ),
      small: await collage(
        2400,
        1600,
        POOL.map((file, i) => ({
          file,
          side: 30 + (i % 7) * 5,
          angle: TURNS[i % 8]!,
          ...at(i, 4, 600, 400, 150, 200),
        })),
        landscape,
      ),
      covered: await collage(
        1200,
        640,
        POOL.slice(0, 8).map(
          (file, i): FacePlacement => ({
            file,
            side: 150,
            angle: 0,
            cover: (['top', 'bottom', 'left', 'right'] as const)[i % 4],
            ...at(i, 4, 300, 320, 150, 160),
          }),
        ),
      ),
    };
    const photos = await Promise.all(Object.keys(GROUP).map((f) => read(sharedData('group', f))));
    const empty = await read(landscape);
    const results: Record<string, unknown> = {};
    for (const id of o.detectors) {
      if (!(DETECTOR_IDS as readonly string[]).includes(id))
        throw new Error(`Expected detectors among ${DETECTOR_IDS.join(', ')}, but received ${id}.`);
      const detector = createDetector({ detector: id as DetectorId });
      await detector.detect(photos[3]!); // load the models
      const row: Record<string, unknown> = {};
      for (const [name, s] of Object.entries(sets)) {
        const t = performance.now();
        const found = await detector.detect(s.image);
        row[name] = score(s.truth, found, (performance.now() - t) / 1000);
      }
      const t = performance.now();
      const group = { faces: 0, found: 0, smaller: 0 };
      for (const [i, image] of photos.entries()) {
        const found = await detector.detect(image);
        const big = found.filter((f) => Math.max(f.box[2], f.box[3]) >= 40).length;
        group.faces += Object.values(GROUP)[i]!;
        group.found += Math.min(big, Object.values(GROUP)[i]!);
        group.smaller += found.length - big;
      }
      row.group = { ...group, seconds: Math.round((performance.now() - t) / 100) / 10 };
      row.faceless = { falseFaces: (await detector.detect(empty)).length };
      results[id] = row;
    }
    return { bench: 'detectors', results };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
