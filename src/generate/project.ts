/**
 * facegan project: the w whose image best reproduces a real aligned face, found by optimisation (as
 * stylegan2-ada-pytorch's projector, which uses VGG features; none are available offline). The loss is pixel L1,
 * 1 - SSIM at each scale down to 16 px, and the distance between the discriminator's activations of the two images.
 * w starts at the mean w and is shared by every layer; noise on w (fading out over the first 3/4) and the learning
 * rate's ramp-up and cosine ramp-down follow the projector. Writes the projection (labelled as generated), the
 * target as the model sees it, w (safetensors) and a video of the optimisation.
 */
import { mkdirSync } from 'node:fs';
import { checkGiven } from '../core/options.js';
import { PROJECT_SCHEMA } from './options.js';
import { join } from 'node:path';
import {
  Adam,
  type Tensor,
  avgPool2d,
  keep,
  manualSeed,
  noGrad,
  randn,
  resolveDevice,
  saveSafetensors,
  tensor,
  tidy,
} from '../engine/index.js';
import { readFaceCrop } from '../faces/crop-file.js';
import { writeImage } from '../media/image.js';
import { provenanceTags, provenanceXmp } from '../media/provenance.js';
import { VideoWriter } from '../media/video-writer.js';
import { ssimError, psnr, ssim } from '../models/ssim.js';
import { StyleDiscriminator } from '../models/stylegan/index.js';
import { loadStyleGan } from '../models/stylegan/load.js';
import { loadWeights, readModelConfig } from '../models/trained.js';
import { trainingImage } from '../train/cyclegan/data.js';
import { toImages, gridOf } from './generate.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

export interface ProjectOptions {
  modelDir: string;
  /** An aligned face from facegan extract (or an image framed as the training images were). */
  input: string;
  /** A folder for projected.png, target.png, w.safetensors and optimisation.mp4. */
  output: string;
  steps?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  /** Weight of the discriminator-feature loss. */
  featureWeight?: number;
  video?: boolean;
  /** Optimisation steps done of all, with the `loss` at this step. */
  onProgress?: OnProgress;
}

export interface ProjectSummary {
  psnr: number;
  ssim: number;
  steps: number;
  files: string[];
}

const lrAt = (t: number, base = 0.1) =>
  base * Math.min(1, t / 0.05) * (0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, (1 - t) / 0.25)));

/**
 * Finds the w that best makes a real aligned face, by optimisation (pixel, multi-scale SSIM and the
 * discriminator's features); writes projected.png, target.png, w.safetensors and optimisation.mp4 to `output`.
 * @example
 * const s = await project({ modelDir: 'stylegan/', input: 'faces/frame_0001_0.png', output: 'projected/' });
 * console.log(`PSNR ${s.psnr.toFixed(2)} dB`);
 */
export async function project(o: ProjectOptions): Promise<ProjectSummary> {
  checkGiven(PROJECT_SCHEMA, o as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const progress = progressMeter('project', 'steps', o.onProgress);
  const steps = o.steps ?? 300,
    device = resolveDevice(o.device ?? 'auto');
  const { generator: G, spec } = loadStyleGan(o.modelDir, device, 'project');
  const config = readModelConfig<{ coverage?: number }>(o.modelDir, []);
  const D = new StyleDiscriminator(spec);
  loadWeights(D, join(o.modelDir, 'disc.safetensors'));
  D.to(device).eval();
  for (const p of [...G.parameters(), ...D.parameters()]) p.requiresGrad_(false);
  const crop = await readFaceCrop(o.input);
  const S = spec.size;
  const planes = await trainingImage(crop, S, config.coverage ?? 0.875);
  const goal = keep(
    tidy(() =>
      tensor(planes, { shape: [1, 3, S, S] })
        .to({ device })
        .mul(2)
        .sub(1),
    ),
  );
  manualSeed(0);
  // the mean w and the spread of w about it, from 2000 samples
  const wAvg = keep(tidy(() => noGrad(() => G.mapping.forward(randn([2000, spec.zDim], { device })).mean(0, true))));
  const wStdValue = tidy(() =>
    noGrad(() =>
      G.mapping
        .forward(randn([2000, spec.zDim], { device }))
        .sub(wAvg)
        .square()
        .sum(1)
        .mean()
        .sqrt()
        .item(),
    ),
  );
  const w = keep(wAvg.detach().clone()).requiresGrad_();
  wAvg.dispose();
  const opt = new Adam([w], { lr: 0.1, betas: [0.9, 0.999] });
  const goalFeatures = noGrad(() => D.features(goal).map((f) => keep(f)));
  mkdirSync(o.output, { recursive: true });
  const files = {
    projected: join(o.output, 'projected.png'),
    target: join(o.output, 'target.png'),
    w: join(o.output, 'w.safetensors'),
    video: join(o.output, 'optimisation.mp4'),
  };
  const video =
    o.video === false
      ? undefined
      : new VideoWriter({
          path: files.video,
          width: 2 * S,
          height: S,
          fps: '30',
          crf: 18,
          preset: 'veryfast',
          metadata: provenanceTags('generated'),
        });
  const goalImage = toImages(goal)[0]!;
  const synth = (ws: Tensor) => G.synthesis.forward(ws.unsqueeze(1).expand(1, G.numWs, -1), 'const');
  try {
    for (let i = 0; i < steps; i++) {
      const t = i / steps;
      opt.lr = lrAt(t);
      const noiseScale = wStdValue * 0.05 * Math.max(0, 1 - t / 0.75) ** 2;
      const loss = tidy(() => {
        opt.zeroGrad();
        const img = synth(w.add(randn([1, spec.zDim], { device }).mul(noiseScale)));
        let l = img.sub(goal).abs().mean();
        for (
          let a = img.add(1).div(2), b = goal.add(1).div(2);
          a.shape[2]! >= 16;
          a = avgPool2d(a, 2), b = avgPool2d(b, 2)
        ) {
          l = l.add(ssimError(a, b).mean());
        }
        const feats = D.features(img);
        const fw = o.featureWeight ?? 0.1;
        feats.forEach(
          (f, k) =>
            (l = l.add(
              f
                .sub(goalFeatures[k]!)
                .square()
                .mean()
                .mul(fw / feats.length),
            )),
        );
        l.backward();
        return l.item();
      });
      opt.step();
      progress(i + 1, steps, { loss });
      if (video && (i % 2 === 0 || i === steps - 1)) {
        const frame = tidy(() => noGrad(() => toImages(synth(w))[0]!));
        await video.write(gridOf([goalImage, frame], 2, S));
      }
    }
    const final = tidy(() => noGrad(() => synth(w)));
    const figures = tidy(() => {
      const [a, b] = [final.add(1).div(2), goal.add(1).div(2)];
      return { psnr: psnr(a, b).mean().item(), ssim: ssim(a, b).mean().item() };
    });
    await writeImage(files.projected, toImages(final)[0]!, { xmp: provenanceXmp('generated') });
    await writeImage(files.target, goalImage);
    saveSafetensors(
      files.w,
      { w: tidy(() => w.detach().unsqueeze(1).expand(1, G.numWs, -1).contiguous()) },
      { facegan: 'project', input: o.input, steps: String(steps) },
    );
    final.dispose();
    if (video) await video.finish();
    return { ...figures, steps, files: Object.values(files).filter((f) => f !== files.video || video) };
  } catch (e) {
    await video?.abort();
    throw e;
  } finally {
    for (const t of [goal, w, ...goalFeatures]) t.dispose();
    G.dispose();
    D.dispose();
  }
}
