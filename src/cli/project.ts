/** facegan project -m MODEL_DIR -i face.png -o OUT: the w of a StyleGAN model that best reproduces a real face. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS } from './stylegan-options.js';
import { PROJECT_SCHEMA } from '../generate/options.js';
import { progressBar } from './progress.js';
import { useThreads } from './convert.js';
import { project } from '../generate/project.js';

export const projectCommand = defineCommand({
  summary: 'find the StyleGAN w that best reproduces a real aligned face (optimisation); the image, w and a video',
  details: `Example:
  facegan project -m stylegan/ -i faces/frame_0001_0.png -o projected/ --steps 300

The input is a face as facegan extract cuts it (the model sees the same central share as in training). The loss is
pixel L1, SSIM at several scales and the discriminator's features (no pretrained network is available offline).
OUT gets projected.png (labelled as generated), target.png (the face as the model sees it), w.safetensors (w for
every layer: generate and interpolate from it in your own code) and optimisation.mp4 (target | projection).`,
  options: { ...PROJECT_SCHEMA, threads: STYLEGAN_OPTIONS.threads },
  async run(o) {
    useThreads(o.threads);
    const bar = progressBar('project', 'steps');
    const s = await project({
      ...o,
      onProgress: (p) => bar.update(p.done, p.total, `loss ${p.figures.loss!.toFixed(4)}`),
    });
    bar.finish();
    console.log(
      `projected in ${s.steps} steps: PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)} against the target`,
    );
    console.log(s.files.join('\n'));
  },
});
