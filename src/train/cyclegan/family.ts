/**
 * The CycleGAN family: two ResNet generators (A->B, B->A) and two 70x70 PatchGAN discriminators learn an unpaired
 * translation between any two folders of images (Zhu et al. 2017). One iteration, as the paper's code does it:
 * - generators, with the discriminators frozen: LSGAN (fool each judge), cycle L1 (A->B->A and B->A->B) times
 *   lambda, identity L1 (G_AB(B) ~ B, G_BA(A) ~ A) times identityWeight * lambda;
 * - discriminators: (real -> 1, fake -> 0) / 2 each, the fakes drawn through an image pool of past outputs.
 * Adam 2e-4, betas (0.5, 0.999); the lr decays linearly to 0 over the last half of the run.
 */
import { resolve } from 'node:path';
import { l1Loss, tensor, tidy, type Module, type Tensor } from '../../engine/index.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { concatPlanes, splitPlanes } from '../../core/planar.js';
import { CycleDiscriminators, CycleGenerators, loadSizeOf } from '../../models/cyclegan.js';
import { COVERAGE_ADVICE, checkDerived } from '../core/resolve.js';
import type { Family, FamilyRun, StepContext } from '../core/family.js';
import { CYCLEGAN_SCHEMA, type CycleGanConfig } from './settings.js';
import { imageBatch, loadImageSet, previewImages, type ImageBatch, type ImageSet } from './data.js';
import { ImagePool } from './pool.js';
import { linearDecay } from './schedule.js';

const PREVIEW_IMAGES = 4;
const BETAS = [0.5, 0.999] as const;

interface CycleData {
  a: ImageSet;
  b: ImageSet;
}

const DERIVED_ADVICE = {
  trainedOn:
    'This model was trained on {stored}; these folders hold {given}. ' +
    'Give it folders of {stored}, or train a new model.',
  extractCoverage: COVERAGE_ADVICE,
};

/** LSGAN: the judge's patch outputs pulled to 1 (real) or 0 (fake), in float32. */
const lsgan = (pred: Tensor, target: 0 | 1): Tensor => tidy(() => pred.to('float32').sub(target).square().mean());

function setTrainable(module: Module, on: boolean): void {
  for (const p of module.parameters()) p.requiresGrad_(on);
}

/** One CycleGAN iteration; returns the named losses. */
export function cycleStep(
  ctx: StepContext<CycleGanConfig>,
  batch: ImageBatch,
  pool?: (side: 'a' | 'b', fakes: Tensor) => Tensor,
): Record<string, number> {
  const { config } = ctx,
    S = config.size,
    n = batch.n;
  const G = ctx.modules.model as CycleGenerators,
    D = ctx.modules.disc as CycleDiscriminators;
  const optG = ctx.optimizers.model!,
    optD = ctx.optimizers.disc!;
  const realA = ctx.toDevice(batch.a, [n, 3, S, S]).mul(2).sub(1),
    realB = ctx.toDevice(batch.b, [n, 3, S, S]).mul(2).sub(1);
  const lambda = config.cycleWeight,
    idt = config.identityWeight * lambda;

  setTrainable(D, false);
  optG.zeroGrad();
  const f = ctx.autocast(() => {
    const fakeB = G.g_ab.forward(realA),
      fakeA = G.g_ba.forward(realB);
    return {
      fakeB,
      fakeA,
      recA: G.g_ba.forward(fakeB),
      recB: G.g_ab.forward(fakeA),
      idtA: idt > 0 ? G.g_ab.forward(realB) : undefined,
      idtB: idt > 0 ? G.g_ba.forward(realA) : undefined,
      judgedB: D.d_b.forward(fakeB),
      judgedA: D.d_a.forward(fakeA),
    };
  });
  const l = {
    ganA: lsgan(f.judgedA, 1),
    ganB: lsgan(f.judgedB, 1),
    cycleA: l1Loss(f.recA.to('float32'), realA),
    cycleB: l1Loss(f.recB.to('float32'), realB),
    idtA: f.idtA ? l1Loss(f.idtA.to('float32'), realB) : undefined,
    idtB: f.idtB ? l1Loss(f.idtB.to('float32'), realA) : undefined,
  };
  let lossG = l.ganA.add(l.ganB).add(l.cycleA.add(l.cycleB).mul(lambda));
  if (l.idtA && l.idtB) lossG = lossG.add(l.idtA.add(l.idtB).mul(idt));
  lossG.backward();
  optG.step();
  setTrainable(D, true);

  optD.zeroGrad();
  const fakeA = pool ? pool('a', f.fakeA) : f.fakeA.detach(),
    fakeB = pool ? pool('b', f.fakeB) : f.fakeB.detach();
  const judged = ctx.autocast(() => ({
    realA: D.d_a.forward(realA),
    fakeA: D.d_a.forward(fakeA),
    realB: D.d_b.forward(realB),
    fakeB: D.d_b.forward(fakeB),
  }));
  const discA = lsgan(judged.realA, 1).add(lsgan(judged.fakeA, 0)).mul(0.5);
  const discB = lsgan(judged.realB, 1).add(lsgan(judged.fakeB, 0)).mul(0.5);
  discA.add(discB).backward();
  optD.step();
  const values: Record<string, Tensor | undefined> = { ...l, discA, discB };
  return Object.fromEntries(
    Object.entries(values)
      .filter((e): e is [string, Tensor] => !!e[1])
      .map(([k, v]) => [k, v.item()]),
  );
}

/** The preview rows: A, A>B, A>B>A | B, B>A, B>A>B. */
function previewRows(
  G: CycleGenerators,
  images: { a: Float32Array[]; b: Float32Array[] },
  ctx: StepContext<CycleGanConfig>,
) {
  const S = ctx.config.size;
  const through = (xs: Float32Array[], first: 'a' | 'b'): [Float32Array[], Float32Array[]] =>
    tidy(() => {
      if (!xs.length) return [[], []];
      const x = ctx.toDevice(concatPlanes(xs), [xs.length, 3, S, S]);
      const y = G.forward(x, first),
        back = G.forward(y, first === 'b' ? 'a' : 'b');
      const read = (t: Tensor) => t.to({ device: 'cpu', dtype: 'float32' }).contiguous().data() as Float32Array;
      return [splitPlanes(read(y), xs.length), splitPlanes(read(back), xs.length)];
    });
  const [ab, aba] = through(images.a, 'b'),
    [ba, bab] = through(images.b, 'a');
  const rows = Math.max(images.a.length, images.b.length);
  return Array.from({ length: rows }, (_, r) => [images.a[r], ab[r], aba[r], images.b[r], ba[r], bab[r]]);
}

/** The pools as checkpoint tensors (pool.a, pool.b: [k, 3, S, S]) and back. */
function poolState(pools: Record<'a' | 'b', ImagePool>, S: number) {
  const plane = 3 * S * S;
  const stack = (images: Float32Array[]) => tensor(concatPlanes(images), { shape: [images.length, 3, S, S] });
  return {
    save: () =>
      new Map(
        Object.entries(pools)
          .filter(([, p]) => p.images.length)
          .map(([side, p]) => [`pool.${side}`, stack(p.images)] as [string, Tensor]),
      ),
    load: (saved: Map<string, Tensor>) => {
      for (const side of ['a', 'b'] as const) {
        const t = saved.get(`pool.${side}`);
        if (!t) continue;
        const data = tidy(() => t.to('float32').contiguous().data() as Float32Array);
        pools[side].images = splitPlanes(data, data.length / plane);
      }
    },
    dispose: () => undefined,
  };
}

export const cycleganFamily: Family<CycleGanConfig, ImageBatch> = {
  id: 'cyclegan',
  schema: CYCLEGAN_SCHEMA,
  defaults: { lr: 2e-4, batchSize: 1, precision: 'auto' },
  derivedKeys: ['trainedOn'],
  async open(inputs, settings, stored) {
    const folders = { a: resolve(inputs.a), b: resolve(inputs.b!) }; // train() checked that B is given
    if (folders.a === folders.b)
      throw new FaceganError(
        ErrorCodes.USAGE,
        'A and B are the same folder: give images of two different people or styles.',
      );
    const size = settings.size as number;
    if (size % 4 !== 0)
      throw new FaceganError(
        ErrorCodes.USAGE,
        `Expected a multiple of 4 for --size but received ${size}: the generators halve it twice.`,
      );
    const loadSize = loadSizeOf(size),
      coverage = settings.coverage as number;
    const a = await loadImageSet(folders.a, loadSize, coverage, 'images A'),
      b = await loadImageSet(folders.b, loadSize, coverage, 'images B');
    for (const s of [a, b]) inputs.warnings?.skipped(s.skipped, s.folder, s.total);
    if (a.trainedOn !== b.trainedOn) {
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `${a.trainedOn === 'faces' ? 'A' : 'B'} holds faces from facegan extract and the other plain images; ` +
          'give two folders of one kind (extract faces from both, or neither).',
      );
    }
    if (a.trainedOn === 'faces' && a.extractCoverage !== b.extractCoverage) {
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `Faces A were extracted with --coverage ${a.extractCoverage} and faces B with ${b.extractCoverage}; ` +
          'extract both with the same coverage.',
      );
    }
    const derived: Record<string, unknown> = { trainedOn: a.trainedOn };
    // the model sees a size-wide window of the coverage region loaded at loadSize: the face is that much larger
    if (a.trainedOn === 'faces') {
      Object.assign(derived, {
        extractCoverage: a.extractCoverage,
        modelCoverage: (a.extractCoverage! / coverage) * (loadSize / size),
      });
    }
    checkDerived(derived, stored, DERIVED_ADVICE);
    return { derived, data: { a, b } satisfies CycleData };
  },
  start(config, data): FamilyRun<CycleGanConfig, ImageBatch> {
    const sets = data as CycleData,
      S = config.size;
    const spec = { ngf: config.ngf, ndf: config.ndf, blocks: config.blocks, upsample: config.upsample };
    const G = new CycleGenerators(spec),
      D = new CycleDiscriminators(spec);
    const pools = { a: new ImagePool(config.poolSize), b: new ImagePool(config.poolSize) };
    const previews = { a: previewImages(sets.a, PREVIEW_IMAGES, S), b: previewImages(sets.b, PREVIEW_IMAGES, S) };
    const batchOf = (i: number): ImageBatch => ({
      a: imageBatch(sets.a, 'a', i, config.batchSize, config.seed, S),
      b: imageBatch(sets.b, 'b', i, config.batchSize, config.seed, S),
      n: config.batchSize,
    });
    return {
      modules: {
        model: { module: G, optimizer: { lr: config.lr, betas: BETAS } },
        disc: { module: D, optimizer: { lr: config.lr, betas: BETAS } },
      },
      batches: { get: async (i) => batchOf(i), close: async () => undefined },
      examplesPerIteration: 2 * config.batchSize,
      step: (ctx, batch, it) =>
        cycleStep(ctx, batch, (side, fakes) =>
          tidy(() => {
            const plane = 3 * S * S,
              cpu = fakes.detach().to({ device: 'cpu', dtype: 'float32' }).contiguous().data() as Float32Array;
            const rng = new Random(config.seed, side === 'a' ? 2 : 3, it, 0x9001);
            return ctx.toDevice(pools[side].query(cpu, plane, rng), [...fakes.shape]);
          }),
        ),
      score: (l) => l.cycleA! + l.cycleB!,
      lr: (_name, it) => linearDecay(config.lr, it, config.iterations, config.decay),
      preview: (ctx) => ({
        columns: ['A', 'A>B', 'A>B>A', 'B', 'B>A', 'B>A>B'],
        gapAfter: 3,
        size: S,
        rows: previewRows(G, previews, ctx),
      }),
      evalTarget: (ctx, iteration) =>
        config.trainedOn !== 'faces'
          ? undefined
          : {
              model: ctx.modules.model as CycleGenerators,
              iteration,
              geometry: {
                model: 'cyclegan',
                mask: false,
                size: S,
                modelCoverage: config.modelCoverage!,
                extractCoverage: config.extractCoverage!,
              },
            },
      state: poolState(pools, S),
    };
  },
};
