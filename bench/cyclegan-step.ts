/**
 * One CycleGAN configuration timed on facegan's engine in a process of its own (so that its peak RSS is its own):
 * the family's own step (G then D, LSGAN + cycle + identity, Adam) on random inputs, as the reference does.
 * node --import tsx bench/cyclegan-step.ts SIZE NGF NDF BLOCKS BATCH WARMUP STEPS fp32|bf16 [cpu|cuda] -> one JSON
 * line.
 */
import {
  Adam,
  autocast,
  libtorchVersion,
  manualSeed,
  numThreads,
  rand,
  resolveDevice,
  tensor,
  tidy,
} from '../src/engine/index.js';
import { CycleDiscriminators, CycleGenerators } from '../src/models/cyclegan.js';
import { cycleStep } from '../src/train/cyclegan/family.js';
import type { StepContext } from '../src/train/core/family.js';
import type { CycleGanConfig } from '../src/train/cyclegan/settings.js';
import { median, peakRssMb } from './util.js';

const [size, ngf, ndf, blocks, batch, warmup, steps] = process.argv.slice(2, 9).map(Number) as number[];
const bf16 = process.argv[9] === 'bf16';
const device = resolveDevice(process.argv[10] === 'cuda' ? 'cuda' : 'cpu');
manualSeed(0);
const G = new CycleGenerators({ ngf: ngf!, ndf: ndf!, blocks: blocks!, upsample: 'transpose' }).to(device),
  D = new CycleDiscriminators({ ndf: ndf! }).to(device);
const config = { size, cycleWeight: 10, identityWeight: 0.5 } as CycleGanConfig;
const ctx: StepContext<CycleGanConfig> = {
  config,
  modules: { model: G, disc: D },
  device,
  optimizers: {
    model: new Adam(G, { lr: 2e-4, betas: [0.5, 0.999] }),
    disc: new Adam(D, { lr: 2e-4, betas: [0.5, 0.999] }),
  },
  autocast: <T>(fn: () => T) => (bf16 ? autocast(device === 'cpu' ? 'cpu' : 'cuda', 'bfloat16', fn) : fn()),
  toDevice: (data, shape) => tensor(data, { shape, device }),
};
const data = tidy(() => ({
  a: rand([batch!, 3, size!, size!]).data() as Float32Array,
  b: rand([batch!, 3, size!, size!]).data() as Float32Array,
}));
const times: number[] = [];
let losses: Record<string, number> = {};
for (let i = 0; i < warmup! + steps!; i++) {
  const t0 = performance.now();
  losses = tidy(() => cycleStep(ctx, { ...data, n: batch! }));
  const s = (performance.now() - t0) / 1000;
  if (i >= warmup!) times.push(s);
  process.stderr.write(`facegan ${size}px ${bf16 ? 'bf16' : 'fp32'} iteration ${i} ${s.toFixed(3)}s\n`);
}
const med = median(times);
console.log(
  JSON.stringify({
    engine: `facegan libtorch ${libtorchVersion()} ${device}${bf16 ? ' bf16 autocast' : ''}`,
    threads: numThreads(),
    params_g: G.g_ab.numParameters(),
    params_d: D.d_a.numParameters(),
    step_s: times.map((t) => +t.toFixed(4)),
    median_step_s: +med.toFixed(4),
    images_per_s: +((2 * batch!) / med).toFixed(2),
    peak_rss_mb: peakRssMb(),
    final_losses: Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, +v.toFixed(4)])),
  }),
);
