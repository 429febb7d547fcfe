/** facegan convert -i INPUT -o OUTPUT -m MODEL_DIR: swap the faces of photos or a video. */
import { defineCommand } from './command.js';
import { progressBar, warn, type ProgressBar } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { convert, type ConvertSummary } from '../convert/convert.js';
import { CONVERT_SCHEMA } from '../convert/options.js';
import { DIGITAL_SOURCE_TYPE } from '../media/provenance.js';
import { COLOUR_HELP } from '../swap/swap.js';
import { MASK_HELP } from '../swap/masks.js';
import { setNumThreads } from '../engine/index.js';
import { convertJob } from '../queue/convert-job.js';
import { waitForJob } from './queued.js';
import { JOB_SCHEMA, queueOf } from '../queue/options.js';

const list = (help: Record<string, string>) =>
  Object.entries(help)
    .map(([k, v]) => `  ${k.padEnd(16)}${v}`)
    .join('\n');

/**
 * The model's CPU threads. libtorch's thread pool belongs to the process, so the CLI, which owns the process,
 * sets it; the library never does.
 */
export function useThreads(threads: number | undefined): void {
  if (threads) setNumThreads(threads);
}

/**
 * The closing lines of convert and translate. `signal` is the stop the work was given: aborted while the summary
 * says it was not stopped means that the stop came after the last frame, so the output is whole and kept (the
 * message printed at the signal spoke of removing a half-written video).
 */
export function reportFrames(s: ConvertSummary, verb: string, signal?: AbortSignal): number {
  if (s.stopped) {
    console.log(`stopped after ${s.frames} frames${s.output.kind === 'video' ? '; no video was written' : ''}`);
    return 130;
  }
  if (signal?.aborted) console.log('the stop came after the last frame: the output is complete and was kept');
  const what =
    s.source === 'whole-image' ? `${s.frames} frames ${verb} whole` : `${s.faces} faces ${verb} in ${s.frames} frames`;
  const from =
    s.source === 'whole-image'
      ? ''
      : `, faces from ${s.source === 'alignments' ? 'the alignments file' : 'the detector'}`;
  console.log(
    `${what} (${(s.frames / s.seconds).toFixed(1)} frames/s${from}` +
      `${s.withoutFaces && s.source !== 'whole-image' ? `, ${s.withoutFaces} frames without a face` : ''}` +
      `${s.skipped ? `, ${s.skipped} already done` : ''})`,
  );
  console.log(`output: ${s.output.path}`);
  return 0;
}

/**
 * convert's and translate's run: `work` stoppable by Ctrl-C or SIGTERM, its bar closed, and the closing lines, which
 * say how a stop ended (reportFrames).
 */
export async function stoppableFrames(
  label: string,
  verb: string,
  work: (signal: AbortSignal, bar: ProgressBar) => Promise<ConvertSummary>,
): Promise<number> {
  const bar = progressBar(label, 'frames');
  let stop: AbortSignal | undefined;
  const s = await stoppableBySigint(
    'stopping; a video not yet finished is removed, images already written are kept.',
    (signal) => {
      stop = signal;
      return work(signal, bar);
    },
  );
  bar.finish();
  return reportFrames(s, verb, stop);
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
    ...CONVERT_SCHEMA,
    ...JOB_SCHEMA,
  },
  async run(o) {
    const queue = queueOf(o.queue);
    if (queue) return runAsJob({ ...o, queue });
    useThreads(o.threads);
    return stoppableFrames('convert', 'swapped', (signal, bar) =>
      convert({
        ...o,
        signal,
        onWarning: warn,
        onProgress: (p) => bar.update(p.done, p.total, `${p.figures.faces} faces`),
      }),
    );
  },
});

/** convert --queue: the job's tasks go to the workers; this process waits, shows one bar, and joins the parts. */
async function runAsJob(o: Parameters<typeof convertJob>[0] & { threads?: number }): Promise<number> {
  const { threads: _threads, ...options } = o;
  const s = await waitForJob('convert', (hooks) => convertJob({ ...options, ...hooks }));
  if (!s) return 130;
  console.log(
    `job ${s.job}: ${s.tasks} tasks (${s.reused} done by an earlier run), ${s.frames} frames in ` +
      `${s.seconds.toFixed(1)} s`,
  );
  for (const out of s.outputs) console.log(`output: ${out}`);
  return 0;
}
