/** facegan train -A FACES_A -B FACES_B -m MODEL_DIR: train (or resume) a pair model. */
import { defineCommand } from './command.js';
import { progressBar, warn } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { train } from '../train/trainer.js';
import { TRAIN_FOLDERS_SCHEMA, TRAIN_SCHEMA, families } from '../train/families.js';
import { models, pairModels } from '../models/registry.js';
import { flagOf } from '../core/options.js';
import { firstPass } from '../eval/targets.js';
import { TRAIN_EVAL_SCHEMA, describeFigures, splitEvalOptions, trainEvaluator } from '../eval/train-eval.js';
import { ModelFolder } from '../train/core/model-folder.js';
import { FaceganError, ErrorCodes } from '../core/errors.js';
import { setNumThreads } from '../engine/index.js';

/** The losses of an iteration, short: `lossA 0.0123 lossB 0.0145`. */
const lossText = (losses: Record<string, number>): string =>
  Object.entries(losses)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(' ');

export const trainCommand = defineCommand({
  summary:
    'train a model on two folders: a pair face swap (faces of two people) or a CycleGAN (any two kinds of image)',
  details: `Examples:
  facegan train -A faces_a/ -B faces_b/ -m model/
  facegan train -A faces_a/ -B faces_b/ -m model/ --model original --precision bf16 --iterations 50000
  facegan train -A faces_a/ -B faces_b/ -m model/ --gan --mask
  facegan train --model cyclegan -A photos_a/ -B photos_b/ -m cyclegan/ --iterations 20000
  facegan train --model cyclegan -A faces_a/ -B faces_b/ -m cyclegan/ --size 256 --ngf 64 --blocks 9 --upsample bilinear
  facegan train --model stylegan -i faces/ -m stylegan/ --iterations 20000

Models:
${Object.entries(models)
  .map(([name, m]) => `  ${name.padEnd(12)}${m.description}`)
  .join('\n')}

The model folder holds config.json, model.safetensors (and each other trained part as NAME.safetensors) with
their optimizers, state.json, log.jsonl (the loss curve) and previews/preview.png (pair: A, A>A, A>B | B, B>B,
B>A; CycleGAN: A, A>B, A>B>A | B, B>A, B>A>B). Ctrl-C saves a checkpoint and stops; run the same command to
continue. Settings that shape the model (--model, --mask, --coverage, --size, --ngf, --seed, ...) are kept by the
folder; the others (--iterations, --lr, --batch-size, ...) may change on resume. Options marked "CycleGAN:" apply
to --model cyclegan only, and the pair options (--mask, --gan, --loss, ...) only to the pair models.
The lightweight model's own defaults: ${Object.entries(pairModels.lightweight.defaults)
    .map(([k, v]) => `${flagOf(k)} ${v}`)
    .join(', ')}.
CycleGAN's own defaults: ${Object.entries(families.cyclegan.defaults)
    .map(([k, v]) => `${flagOf(k)} ${v}`)
    .join(', ')}.`,
  options: {
    ...TRAIN_FOLDERS_SCHEMA,
    input: { type: 'string', short: 'i', help: 'StyleGAN: the one folder of faces (or images) it learns to make' },
    ...TRAIN_SCHEMA,
    ...TRAIN_EVAL_SCHEMA,
    restart: {
      type: 'boolean',
      help: 'start over in a folder that holds a model (or a damaged one); its files move to replaced-*/',
    },
    loadWeights: {
      type: 'string',
      help:
        "a new model starts from parts of the trained model in this folder (the same --model), as faceswap's " +
        'option: a model that has learnt faces learns a new pair sooner (ignored when resuming)',
    },
    loadParts: {
      type: 'list',
      help:
        "the parts --load-weights lends: encoder (the default), decoder-a, decoder-b (the same person's side); " +
        "FROM:TO lends one as another: decoder-a:decoder-b when the trained A is the person on this model's B side",
    },
    threads: {
      type: 'int',
      help: 'CPU threads for libtorch (default: all cores); 1 leaves the other cores free',
      min: 1,
      max: 1024,
    },
  },
  async run(o) {
    const bar = progressBar('train', 'it');
    let start: number | undefined;
    const { evaluation, rest: given } = splitEvalOptions(o);
    const { threads, input, ...rest } = given;
    if (input && rest.a)
      throw new FaceganError(ErrorCodes.USAGE, "Give -i (StyleGAN's one folder) or -A and -B, not both.");
    const options = { ...rest, a: (input ?? rest.a)! }; // train() says which folders the model needs
    if (threads) setNumThreads(threads); // the CLI owns its process: the library never changes the thread count
    const stylegan = !!input;
    const evaluator = trainEvaluator(
      { ...evaluation, a: options.a, b: o.b, modelDir: o.modelDir, stylegan },
      (iteration, figures) => {
        const [first, ...more] = describeFigures(stylegan, !!evaluation.evalSwap, figures);
        console.log(`\neval at ${iteration}: ${first}`);
        for (const line of more) console.log(`  ${line}`);
      },
    );
    const s = await stoppableBySigint(
      'saving a checkpoint, then stopping. Run the same command to continue.',
      (signal) =>
        train({
          ...options,
          signal,
          evaluator,
          onWarning: warn,
          onProgress: (p) => {
            start ??= p.done - 1;
            const { examplesPerSecond, ...losses } = p.figures;
            bar.update(
              p.done - start,
              p.total - start,
              `iteration ${p.done}, ${lossText(losses)}, ${examplesPerSecond!.toFixed(1)} images/s`,
            );
          },
        }),
    );
    bar.finish();
    const h = Math.floor(s.seconds / 3600),
      m = Math.round((s.seconds % 3600) / 60);
    console.log(
      `${s.config.model} model at iteration ${s.iteration} (from ${s.startIteration}); ` +
        `${lossText(s.losses)}; trained ${h}h ${m}m in all`,
    );
    if (s.pretrained && s.startIteration === 0) {
      const { parts, from, iteration } = s.pretrained;
      console.log(`started from the ${parts.join(', ')} of ${from} (trained ${iteration} iterations)`);
    }
    const first = evaluator && firstPass(new ModelFolder(s.modelDir).readLog());
    if (first) {
      console.log(
        `a good swap (all four measures pass) first at iteration ${first.iteration}, ` +
          `after ${(first.seconds / 60).toFixed(1)} min of training`,
      );
    }
    console.log(`model: ${s.modelDir}\npreview: ${s.modelDir}/previews/preview.png`);
    return s.stopped ? 130 : 0;
  },
});
