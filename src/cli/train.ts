/** facegan train -A FACES_A -B FACES_B -m MODEL_DIR: train (or resume) a pair model. */
import { defineCommand } from './command.js';
import { progressBar } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { train } from '../train/trainer.js';
import { TRAIN_SCHEMA } from '../train/config.js';

export const trainCommand = defineCommand({
  summary: 'train a pair model on two folders of extracted faces (resumes a model folder that has one)',
  details: `Examples:
  facegan train -A faces_a/ -B faces_b/ -m model/
  facegan train -A faces_a/ -B faces_b/ -m model/ --model original --precision bf16 --iterations 50000
  facegan train -A faces_a/ -B faces_b/ -m model/ --gan --mask

The model folder holds config.json, model.safetensors, optimizer.safetensors, state.json, log.jsonl (the loss
curve) and previews/preview.png (A, A>A, A>B | B, B>B, B>A). Ctrl-C saves a checkpoint and stops; run the same
command to continue. Settings that shape the model (--model, --mask, --coverage, --loss, --gan, --seed, ...) are
kept by the folder; the others (--iterations, --lr, --batch-size, ...) may change on resume.`,
  options: {
    a: { type: 'string', short: 'A', help: 'folder of extracted faces of A (the face to replace)', required: true },
    b: { type: 'string', short: 'B', help: 'folder of extracted faces of B (the face to put in)', required: true },
    modelDir: { type: 'string', short: 'm', help: 'model folder (made if new, resumed if it holds a model)', required: true },
    ...TRAIN_SCHEMA,
  },
  async run(o) {
    const bar = progressBar('train', 'it');
    let start: number | undefined;
    const s = await stoppableBySigint('saving a checkpoint, then stopping. Run the same command to continue.', (signal) => train({
      ...o, signal,
      onProgress: (p) => {
        start ??= p.iteration - 1;
        bar.update(p.iteration - start, p.iterations - start, `iteration ${p.iteration}, loss A ${p.lossA.toFixed(4)} B ${p.lossB.toFixed(4)}, ${p.examplesPerSecond.toFixed(1)} faces/s`);
      },
    }));
    bar.finish();
    const h = Math.floor(s.seconds / 3600), m = Math.round((s.seconds % 3600) / 60);
    console.log(`${s.config.model} model at iteration ${s.iteration} (from ${s.startIteration}); loss A ${s.lossA.toFixed(4)}, B ${s.lossB.toFixed(4)}; trained ${h}h ${m}m in all`);
    console.log(`model: ${s.modelDir}\npreview: ${s.modelDir}/previews/preview.png`);
    return s.stopped ? 130 : 0;
  },
});
