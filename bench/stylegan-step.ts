/**
 * StyleGAN2 iterations timed on facegan's engine in a process of its own (so that its peak RSS is its own), as
 * ../shared/bench/reference_stylegan2.py times PyTorch's: a G step and a D step on random reals, no mixing, no EMA,
 * then one R1 step timed on its own.
 * node --import tsx bench/stylegan-step.ts SIZE BATCH ZDIM MAPPING CBASE CMAX WARMUP STEPS fp32|bf16 [cpu|cuda]
 */
import {
  Adam,
  autocast,
  libtorchVersion,
  manualSeed,
  numThreads,
  rand,
  resolveDevice,
  tidy,
} from '../src/engine/index.js';
import { StyleDiscriminator, StyleGenerator } from '../src/models/stylegan/index.js';
import { r1Penalty, styleganStep } from '../src/train/stylegan/step.js';
import { median, peakRssMb } from './util.js';

const [size, batch, zDim, mapping, channelBase, channelMax, warmup, steps] = process.argv
  .slice(2, 10)
  .map(Number) as number[];
const bf16 = process.argv[10] === 'bf16';
const device = resolveDevice(process.argv[11] === 'cuda' ? 'cuda' : 'cpu');
manualSeed(0);
const spec = { size: size!, zDim: zDim!, mapping: mapping!, channelBase: channelBase!, channelMax: channelMax! };
const G = new StyleGenerator(spec).to(device),
  D = new StyleDiscriminator(spec).to(device);
const optG = new Adam(G, { lr: 0.0025, betas: [0, 0.99] }),
  optD = new Adam(D, { lr: 0.0025, betas: [0, 0.99] });
const kind = device === 'cpu' ? 'cpu' : 'cuda';
const parts = {
  G,
  D,
  optG,
  optD,
  device,
  autocast: <T>(fn: () => T) => (bf16 ? autocast(kind, 'bfloat16', fn) : fn()),
};
const reals = tidy(() => rand([batch!, 3, size!, size!], { device }).mul(2).sub(1));
const settings = { batchSize: batch!, seed: 0, r1Gamma: 0, r1Interval: 0, mixing: 0, emaKimg: 10 };
const times: number[] = [];
let losses: Record<string, number> = {};
for (let i = 0; i < warmup! + steps!; i++) {
  const t0 = performance.now();
  losses = tidy(() => styleganStep(parts, reals, i, settings, i * batch!));
  const s = (performance.now() - t0) / 1000;
  if (i >= warmup!) times.push(s);
  process.stderr.write(`facegan ${size}px ${bf16 ? 'bf16' : 'fp32'} iteration ${i} ${s.toFixed(3)}s\n`);
}
const r1Step = () => {
  const t0 = performance.now();
  optD.zeroGrad();
  tidy(() =>
    r1Penalty(D, reals, parts)
      .mul((0.05 / 2) * 16)
      .backward(),
  );
  optD.step();
  return (performance.now() - t0) / 1000;
};
r1Step();
const r1 = r1Step();
const med = median(times);
console.log(
  JSON.stringify({
    engine: `facegan libtorch ${libtorchVersion()} ${device}${bf16 ? ' bf16 autocast' : ''}`,
    threads: numThreads(),
    params_g: G.numParameters(),
    params_d: D.numParameters(),
    step_s: times.map((t) => +t.toFixed(4)),
    median_step_s: +med.toFixed(4),
    images_per_s: +(batch! / med).toFixed(2),
    r1_step_s: +r1.toFixed(4),
    peak_rss_mb: peakRssMb(),
    final_losses: Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, +v.toFixed(4)])),
  }),
);
