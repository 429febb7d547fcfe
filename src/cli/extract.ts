/** facegan extract -i INPUT -o FACES_DIR: find, align and save every face. */
import { defineCommand } from './command.js';
import { progressBar, warn } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { extract, EXTRACT_DEFAULTS } from '../extract/extract.js';
import { MAX_FACES_PER_FRAME } from '../core/alignments.js';
import { writeContactSheet } from '../faces/contact-sheet.js';

export const extractCommand = defineCommand({
  summary: 'find every face in an image, a folder of images or a video; save aligned crops and an alignments file',
  details: `Examples:
  facegan extract -i photos/ -o faces_a/
  facegan extract -i interview.mp4 -o faces_b/ --every-n 2
  facegan extract -i group.jpg -o faces/ --size 512 --min-size 40
  facegan extract -i interview.mp4 -o faces_a/ --filter her_photo.jpg

An interrupted run (Ctrl-C) saves what it has; run the same command again to continue.`,
  options: {
    input: {
      type: 'string',
      short: 'i',
      help: 'an image, a folder of images, or a video file (read directly)',
      required: true,
    },
    output: { type: 'string', short: 'o', help: 'folder for the aligned face crops', required: true },
    alignments: {
      type: 'string',
      short: 'a',
      help: 'alignments file (default: beside the input, NAME.alignments.json)',
    },
    size: {
      type: 'int',
      help: 'side of the aligned crops in pixels',
      default: EXTRACT_DEFAULTS.size,
      min: 64,
      max: 2048,
    },
    coverage: {
      type: 'number',
      help: 'share of the crop that the mean face (brows to chin) spans',
      default: EXTRACT_DEFAULTS.coverage,
      min: 0.3,
      max: 1,
    },
    minSize: {
      type: 'int',
      help: 'smallest face kept (box side in pixels)',
      default: EXTRACT_DEFAULTS.minSize,
      min: 1,
    },
    maxFaces: {
      type: 'int',
      help: 'most faces kept per image (largest first)',
      default: EXTRACT_DEFAULTS.maxFaces,
      min: 1,
      max: MAX_FACES_PER_FRAME,
    },
    everyN: { type: 'int', help: 'process every n-th image or video frame', default: EXTRACT_DEFAULTS.everyN, min: 1 },
    redetectEvery: {
      type: 'int',
      help: 'video: follow faces between frames, detecting afresh every n frames (1: every frame)',
      default: EXTRACT_DEFAULTS.redetectEvery,
      min: 1,
    },
    filter: { type: 'list', help: 'keep only faces of the person in these images' },
    nfilter: { type: 'list', help: 'drop faces of the person in these images' },
    filterThreshold: {
      type: 'number',
      help: "identity distance under which a face counts as the filter's person",
      default: EXTRACT_DEFAULTS.filterThreshold,
      min: 0.1,
      max: 1.5,
    },
    identity: {
      type: 'boolean',
      help: 'store a 128-d identity descriptor per face (--no-identity is faster)',
      default: true,
    },
    rotations: {
      type: 'boolean',
      help:
        'find faces turned every way: a photo is searched upright, upside down and sideways, a video frame turned ' +
        'only where no face is found upright (--no-rotations: upright only, faster)',
      default: true,
    },
    threads: {
      type: 'boolean',
      help: 'detect faces in a worker thread beside the cutting and saving (--no-threads: one thread)',
      default: true,
    },
    preview: {
      type: 'boolean',
      help: 'also write a contact sheet of the crops with their landmarks (FACES_DIR.preview.jpg)',
    },
    skipExisting: {
      type: 'boolean',
      help: 'skip images already in the alignments file (--no-skip-existing redoes them)',
      default: true,
    },
  },
  async run(o) {
    const bar = progressBar('extract', 'frames');
    const s = await stoppableBySigint(
      'stopping after this frame; the alignments so far are saved. Run the same command to continue.',
      (signal) =>
        extract({ ...o, signal, onWarning: warn, onProgress: (p) => bar.update(p.done, p.total, `${p.faces} faces`) }),
    );
    bar.finish();
    for (const u of s.unreadable) console.error(`skipped ${u.file}: ${u.reason}`);
    console.log(
      `${s.faces} faces from ${s.frames} frames (${s.processed} processed now, ${s.resumed} already done, ${s.framesWithoutFaces} without a face${s.filtered ? `, ${s.filtered} faces filtered out` : ''}${s.unreadable.length ? `, ${s.unreadable.length} unreadable` : ''})`,
    );
    console.log(`faces: ${s.output}\nalignments: ${s.alignments}`);
    if (o.preview) {
      const sheet = `${s.output.replace(/\/+$/, '')}.preview.jpg`;
      const n = await writeContactSheet(s.output, sheet);
      console.log(n ? `preview: ${sheet} (${n} faces)` : 'preview: no faces to show');
    }
    return s.stopped ? 130 : 0;
  },
});
