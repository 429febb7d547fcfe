/** facegan extract -i INPUT -o FACES_DIR: find, align and save every face. */
import { defineCommand } from './command.js';
import { progressBar, warn } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { extract } from '../extract/extract.js';
import { EXTRACT_SCHEMA } from '../extract/options.js';
import { writeContactSheet } from '../faces/contact-sheet.js';
import { extractJob } from '../queue/extract-job.js';
import { waitForJob } from './queued.js';
import { JOB_SCHEMA, queueOf } from '../queue/options.js';

export const extractCommand = defineCommand({
  summary: 'find every face in an image, a folder of images or a video; save aligned crops and an alignments file',
  details: `Examples:
  facegan extract -i photos/ -o faces_a/
  facegan extract -i interview.mp4 -o faces_b/ --every-n 2
  facegan extract -i group.jpg -o faces/ --size 512 --min-size 40
  facegan extract -i interview.mp4 -o faces_a/ --filter her_photo.jpg

An interrupted run (Ctrl-C) saves what it has; run the same command again to continue.`,
  options: {
    ...EXTRACT_SCHEMA,
    preview: {
      type: 'boolean',
      help: 'also write a contact sheet of the crops with their landmarks (FACES_DIR.preview.jpg)',
    },
    skipExisting: {
      type: 'boolean',
      help: 'skip images already in the alignments file (--no-skip-existing redoes them)',
      default: true,
    },
    ...JOB_SCHEMA,
  },
  async run(o) {
    const { preview, queue: given, partSeconds, ...options } = o;
    const queue = queueOf(given);
    const s = queue ? await runAsJob({ ...options, queue, partSeconds }) : await runHere(options);
    if (!s) return 130;
    for (const u of s.unreadable) console.error(`skipped ${u.file}: ${u.reason}`);
    const more = [
      `${s.framesWithoutFaces} without a face`,
      ...(s.filtered ? [`${s.filtered} faces filtered out`] : []),
      ...(s.unreadable.length ? [`${s.unreadable.length} unreadable`] : []),
    ];
    console.log(`${s.faces} faces from ${s.frames} frames (${s.done}, ${more.join(', ')})`);
    console.log(`faces: ${s.output}\nalignments: ${s.alignments}`);
    if (preview) {
      const sheet = `${s.output.replace(/\/+$/, '')}.preview.jpg`;
      const n = await writeContactSheet(s.output, sheet);
      console.log(n ? `preview: ${sheet} (${n} faces)` : 'preview: no faces to show');
    }
    return s.stopped ? 130 : 0;
  },
});

interface Printed {
  faces: number;
  frames: number;
  framesWithoutFaces: number;
  filtered: number;
  unreadable: { file: string; reason: string }[];
  output: string;
  alignments: string;
  stopped: boolean;
  /** What was done now and what before. */
  done: string;
}

async function runHere(o: Parameters<typeof extract>[0]): Promise<Printed> {
  const bar = progressBar('extract', 'frames');
  const s = await stoppableBySigint(
    'stopping after this frame; the alignments so far are saved. Run the same command to continue.',
    (signal) =>
      extract({
        ...o,
        signal,
        onWarning: warn,
        onProgress: (p) => bar.update(p.done, p.total, `${p.figures.faces} faces`),
      }),
  );
  bar.finish();
  return { ...s, done: `${s.processed} processed now, ${s.resumed} already done` };
}

/** extract --queue: the tasks go to the workers; this process waits, shows one bar, and merges the alignments. */
async function runAsJob(o: Parameters<typeof extractJob>[0]): Promise<Printed | undefined> {
  const s = await waitForJob('extract', (hooks) => extractJob({ ...o, ...hooks }));
  if (!s) return undefined;
  for (const w of s.warnings) warn(w);
  return {
    ...s,
    done: `job ${s.job}: ${s.tasks} tasks, ${s.reused} done by an earlier run, ${s.seconds.toFixed(1)} s`,
  };
}
