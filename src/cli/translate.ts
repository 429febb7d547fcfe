/** facegan translate -m MODEL_DIR -i INPUT -o OUTPUT [--direction a2b|b2a]: a CycleGAN model on photos or a video. */
import { defineCommand } from './command.js';
import { warn } from './progress.js';
import { translate } from '../convert/translate.js';
import { stoppableFrames, useThreads } from './convert.js';
import { TRANSLATE_SCHEMA } from '../convert/options.js';

export const translateCommand = defineCommand({
  summary: 'translate A->B (or B->A) with a CycleGAN model: faces pasted back, or whole frames; labelled as synthetic',
  details: `Examples:
  facegan translate -m cyclegan/ -i photo.jpg -o translated.jpg
  facegan translate -m cyclegan/ -i clip.mp4 -o translated.mp4 --direction b2a

A model trained on faces (from facegan extract) translates each face in the frame and pastes it back as convert
does (masks, colour matching, smoothing over video frames); one trained on whole images translates whole frames
(at the size it was trained at, or --resolution). Videos keep their frames, rate, orientation and audio.`,
  options: TRANSLATE_SCHEMA,
  async run(o) {
    useThreads(o.threads);
    return stoppableFrames('translate', 'translated', (signal, bar) =>
      translate({
        ...o,
        signal,
        onWarning: warn,
        onProgress: (p) => bar.update(p.done, p.total, `${p.figures.faces} done`),
      }),
    );
  },
});
