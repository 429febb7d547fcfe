/** facegan convert -i INPUT -o OUTPUT -m MODEL_DIR: swap the faces of photos or a video. */
import { defineCommand } from './command.js';
import { progressBar, warn } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { convert, CONVERT_DEFAULTS, type ConvertSummary } from '../convert/convert.js';
import { COLOUR_HELP, COLOUR_MODES } from '../swap/swap.js';
import { MASK_HELP, MASK_TYPES } from '../swap/masks.js';
import { VIDEO_CODECS } from '../media/video-writer.js';
import { SAME_PERSON } from '../faces/identity.js';
import { DIGITAL_SOURCE_TYPE } from '../media/provenance.js';
import { setNumThreads } from '../engine/index.js';

const list = (help: Record<string, string>) =>
  Object.entries(help)
    .map(([k, v]) => `  ${k.padEnd(16)}${v}`)
    .join('\n');

/** Flags convert and translate share: output, masks, colour, video, labels. */
export const FRAME_OPTIONS = {
  input: { type: 'string', short: 'i', help: 'an image, a folder of images, or a video', required: true },
  output: {
    type: 'string',
    short: 'o',
    help: 'output: image file, folder, or video file (.mp4, .mkv, .gif, ...)',
    required: true,
  },
  modelDir: { type: 'string', short: 'm', help: 'model folder written by facegan train', required: true },
  alignments: { type: 'string', short: 'a', help: "alignments file (default: the input's, when it exists)" },
  mask: { type: 'string', help: 'blend mask', default: CONVERT_DEFAULTS.mask, choices: MASK_TYPES },
  erode: {
    type: 'number',
    help: 'shrink the mask by this share of the face crop (negative grows it)',
    default: CONVERT_DEFAULTS.erode,
    min: -0.2,
    max: 0.2,
  },
  feather: {
    type: 'number',
    help: 'soften the mask edge over this share of the face crop',
    default: CONVERT_DEFAULTS.feather,
    min: 0,
    max: 0.3,
  },
  color: { type: 'string', help: 'colour matching', default: CONVERT_DEFAULTS.colour, choices: COLOUR_MODES },
  sharpen: {
    type: 'number',
    help: 'unsharp-mask amount on the swapped face (0: none)',
    default: CONVERT_DEFAULTS.sharpen,
    min: 0,
    max: 3,
  },
  smooth: {
    type: 'int',
    help: 'video: average landmarks over this many frames either side (0: off)',
    default: CONVERT_DEFAULTS.smooth,
    min: 0,
    max: 10,
  },
  batch: {
    type: 'int',
    help: 'frames whose faces go through the model together (faster; more memory)',
    default: CONVERT_DEFAULTS.batch,
    min: 1,
    max: 64,
  },
  precision: {
    type: 'string',
    help: 'model precision: auto is bf16 where it runs natively (GPUs, CPUs with AMX/AVX512-BF16; 3-6x faster), else fp32',
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16'] as const,
  },
  device: {
    type: 'string',
    help: 'auto (cuda when there is one), cpu or cuda',
    default: 'auto',
    choices: ['auto', 'cpu', 'cuda'] as const,
  },
  codec: {
    type: 'string',
    help: 'video codec',
    default: CONVERT_DEFAULTS.codec,
    choices: Object.keys(VIDEO_CODECS) as (keyof typeof VIDEO_CODECS)[],
  },
  crf: {
    type: 'int',
    help: "video quality: lower is better and bigger (H.264: 18 looks lossless, 23 is ffmpeg's default)",
    default: CONVERT_DEFAULTS.crf,
    min: 0,
    max: 51,
  },
  preset: { type: 'string', help: 'x264/x265 speed preset (ultrafast ... veryslow)', default: CONVERT_DEFAULTS.preset },
  label: { type: 'string', help: 'visible text drawn on every output, e.g. "AI-generated"' },
  provenance: {
    type: 'boolean',
    help: 'write the synthetic-media label into the metadata (--no-provenance drops it)',
    default: true,
  },
  overwrite: {
    type: 'boolean',
    help: 'replace an existing output (a folder otherwise resumes, keeping images already written)',
  },
  threads: {
    type: 'int',
    help: 'CPU threads for the model (default: every core; writing a video with a small model, one fewer leaves a core to the encoder)',
    min: 1,
    max: 256,
  },
} as const;

/**
 * The model's CPU threads. libtorch's thread pool belongs to the process, so the CLI, which owns the process,
 * sets it; the library never does.
 */
export function useThreads(threads: number | undefined): void {
  if (threads) setNumThreads(threads);
}

/** The closing lines of convert and translate. */
export function reportFrames(s: ConvertSummary, verb: string): number {
  if (s.stopped) {
    console.log(`stopped after ${s.frames} frames${s.output.kind === 'video' ? '; no video was written' : ''}`);
    return 130;
  }
  const what =
    s.source === 'whole-image' ? `${s.frames} frames ${verb} whole` : `${s.faces} faces ${verb} in ${s.frames} frames`;
  const from =
    s.source === 'whole-image'
      ? ''
      : `, faces from ${s.source === 'alignments' ? 'the alignments file' : 'the detector'}`;
  console.log(
    `${what} (${(s.frames / s.seconds).toFixed(1)} frames/s${from}${s.withoutFaces && s.source !== 'whole-image' ? `, ${s.withoutFaces} frames without a face` : ''}${s.skipped ? `, ${s.skipped} already done` : ''})`,
  );
  console.log(`output: ${s.output.path}`);
  return 0;
}

export const convertCommand = defineCommand({
  summary: 'swap faces A->B in an image, a folder of images or a video (audio kept), labelled as synthetic',
  details: `Examples:
  facegan convert -i photo.jpg -o swapped.jpg -m model/
  facegan convert -i clip.mp4 -o swapped.mp4 -m model/ --color seamless --crf 20
  facegan convert -i frames/ -o swapped/ -m model/ --swap            (B->A)
  facegan convert -i party.mp4 -o out.mp4 -m model/ --filter her.jpg   (only her face)

Faces come from the input's alignments file (facegan extract writes INPUT.alignments.json) when there is one,
else they are found on the fly. From a video, -o may also be a .gif or a folder (PNG frames).

Masks (--mask):
${list(MASK_HELP)}
Colour (--color):
${list(COLOUR_HELP)}

Every output carries the IPTC Digital Source Type ${DIGITAL_SOURCE_TYPE.split('/').pop()} (XMP in
images, container metadata in videos); --label adds a visible mark. Use facegan only with consent.`,
  options: {
    ...FRAME_OPTIONS,
    swap: { type: 'boolean', help: 'swap B->A instead of A->B' },
    filter: { type: 'list', help: 'only swap faces of the person in these photos' },
    filterThreshold: {
      type: 'number',
      help: "identity distance under which a face counts as the filter's person",
      default: SAME_PERSON,
      min: 0.1,
      max: 1.5,
    },
  },
  async run(o) {
    useThreads(o.threads);
    const bar = progressBar('convert', 'frames');
    const s = await stoppableBySigint(
      'stopping; a video being written is removed, images already written are kept.',
      (signal) =>
        convert({
          ...o,
          colour: o.color,
          signal,
          onWarning: warn,
          onProgress: (p) => bar.update(p.done, p.total, `${p.faces} faces`),
        }),
    );
    bar.finish();
    return reportFrames(s, 'swapped');
  },
});
