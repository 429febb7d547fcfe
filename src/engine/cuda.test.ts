/**
 * The engine on a CUDA GPU: each case does the same work on the CPU and on the GPU and compares them. Skipped, with
 * the reason, where this libtorch build has no GPU (CI's machines); run on a GPU machine with the addon built against
 * a CUDA libtorch (LIBTORCH=..., see README) they check that build end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Adam,
  type Tensor,
  autocast,
  conv2d,
  cuda,
  gridSample,
  l1Loss,
  liveTensors,
  loadSafetensors,
  manualSeed,
  pixelShuffle,
  rand,
  randn,
  saveSafetensors,
  tensor,
  tidy,
  trainStep,
} from './index.js';
import { OriginalModel } from '../models/original.js';
import { CycleGenerators } from '../models/cyclegan.js';
import { testTmp } from '../testing/tmp.js';

const skip = cuda.isAvailable() ? false : 'this libtorch build has no CUDA device';

/** Largest absolute difference between two tensors of one shape, wherever each lives. */
const maxDiff = (a: Tensor, b: Tensor): number =>
  tidy(() => {
    const host = (t: Tensor) => t.to({ device: 'cpu', dtype: 'float32' });
    return host(a).sub(host(b)).abs().amax().item();
  });

test('tensors go to the GPU and come back unchanged, in each dtype', { skip }, () => {
  tidy(() => {
    for (const dtype of ['float32', 'float64', 'bfloat16', 'int64', 'uint8'] as const) {
      const host = tensor([0, 1, 2, 250, 7], { dtype });
      const gpu = host.to('cuda');
      assert.match(gpu.device, /^cuda/, `${dtype} is on the GPU`);
      assert.equal(gpu.dtype, dtype);
      assert.deepEqual(gpu.toNumbers(), host.toNumbers(), `${dtype} round trip`);
    }
    assert.equal(rand([2, 3], { device: 'cuda' }).device.startsWith('cuda'), true, 'factories make tensors on the GPU');
  });
});

test('convolution, pixel shuffle and grid sampling, forward and backward, match the CPU', { skip }, () => {
  manualSeed(1);
  tidy(() => {
    const x = randn([2, 8, 16, 16]),
      w = randn([12, 8, 3, 3]).mul(0.1),
      grid = rand([2, 16, 16, 2]).mul(2).sub(1);
    const run = (device: 'cpu' | 'cuda') => {
      const xs = x.to(device).detach().requiresGrad_(),
        ws = w.to(device).detach().requiresGrad_();
      const y = gridSample(pixelShuffle(conv2d(xs, ws, null, { padding: 1 }), 2).slice(1, 0, 2), grid.to(device));
      y.square().sum().backward();
      return { y, gx: xs.grad!, gw: ws.grad! };
    };
    const cpu = run('cpu'),
      gpu = run('cuda');
    // TF32 may be on for GPU convolutions: allow its 10-bit mantissa
    assert.ok(maxDiff(gpu.y, cpu.y) < 2e-2, `forward differs by ${maxDiff(gpu.y, cpu.y)}`);
    const rel = (a: Tensor, b: Tensor) => maxDiff(a, b) / b.abs().amax().item();
    assert.ok(rel(gpu.gx, cpu.gx) < 1e-2, `input gradient differs by ${rel(gpu.gx, cpu.gx)} (relative)`);
    assert.ok(rel(gpu.gw, cpu.gw) < 1e-2, `weight gradient differs by ${rel(gpu.gw, cpu.gw)} (relative)`);
  });
});

test('Adam steps on the GPU give the CPU weights', { skip }, () => {
  tidy(() => {
    const start = randn([64]);
    const run = (device: 'cpu' | 'cuda') => {
      const p = start.to(device).detach().requiresGrad_();
      const opt = new Adam([p], { lr: 0.01, betas: [0.5, 0.999], eps: 1e-7 });
      for (let i = 0; i < 10; i++)
        tidy(() => {
          opt.zeroGrad();
          p.sub(1).square().sum().backward();
          opt.step();
        });
      return p.detach();
    };
    assert.ok(maxDiff(run('cuda'), run('cpu')) < 1e-5, 'weights after 10 Adam steps');
  });
});

test("faceswap's original model: a training step on the GPU matches the CPU's, and learns", { skip }, () => {
  manualSeed(0);
  const cpu = new OriginalModel({ init: 'torch-default' });
  const gpu = new OriginalModel({ init: 'torch-default' });
  gpu.loadStateDict(cpu.stateDict());
  gpu.to('cuda');
  const a = rand([4, 3, 64, 64]),
    b = rand([4, 3, 64, 64]);
  const ga = a.to('cuda'),
    gb = b.to('cuda');
  const optCpu = new Adam(cpu, { lr: 5e-5, betas: [0.5, 0.999], eps: 1e-7 });
  const optGpu = new Adam(gpu, { lr: 5e-5, betas: [0.5, 0.999], eps: 1e-7 });
  const lossCpu = trainStep(optCpu, () => l1Loss(cpu.forward(a, 'a'), a).add(l1Loss(cpu.forward(b, 'b'), b)));
  const lossGpu = trainStep(optGpu, () => l1Loss(gpu.forward(ga, 'a'), ga).add(l1Loss(gpu.forward(gb, 'b'), gb)), {
    device: 'cuda',
  });
  assert.ok(Math.abs(lossGpu - lossCpu) < 1e-3, `first loss: GPU ${lossGpu}, CPU ${lossCpu}`);
  const live = liveTensors();
  const losses: number[] = [];
  for (let i = 0; i < 30; i++) {
    losses.push(
      trainStep(optGpu, () => l1Loss(gpu.forward(ga, 'a'), ga).add(l1Loss(gpu.forward(gb, 'b'), gb)), {
        device: 'cuda',
        autocast: 'bfloat16',
      }),
    );
  }
  assert.equal(liveTensors(), live, 'no tensors left behind by 30 bf16 steps on the GPU');
  assert.ok(losses.every(Number.isFinite), 'bf16 losses are finite');
  assert.ok(
    losses.at(-1)! < lossGpu * 0.9,
    `bf16 training learns: ${lossGpu.toFixed(4)} -> ${losses.at(-1)!.toFixed(4)}`,
  );
  cpu.dispose();
  gpu.dispose();
  a.dispose();
  b.dispose();
  ga.dispose();
  gb.dispose();
});

test('bf16 autocast on the GPU runs convolutions in bf16 and stays near fp32', { skip }, () => {
  manualSeed(2);
  tidy(() => {
    const g = new CycleGenerators({ ngf: 16, ndf: 16, blocks: 2, upsample: 'transpose' }).to('cuda');
    const x = rand([2, 3, 64, 64], { device: 'cuda' }).mul(2).sub(1);
    const full = g.g_ab.forward(x);
    const half = autocast('cuda', 'bfloat16', () => g.g_ab.forward(x));
    assert.equal(half.dtype === 'bfloat16' || half.dtype === 'float32', true, `output dtype ${half.dtype}`);
    const d = maxDiff(half, full);
    const mean = half.to('float32').sub(full).abs().mean().item();
    assert.ok(d > 0, 'autocast changed the arithmetic (bf16 is in use)');
    assert.ok(mean < 0.05 && d < 0.3, `bf16 output near fp32 (mean difference ${mean}, max ${d})`);
    g.dispose();
  });
});

test('weights saved from the GPU load on the CPU and back on the GPU', { skip }, () => {
  const dir = mkdtempSync(join(testTmp(), 'facegan-cuda-'));
  try {
    tidy(() => {
      const w = randn([3, 5], { device: 'cuda' }),
        h = randn([4], { device: 'cuda', dtype: 'bfloat16' });
      saveSafetensors(join(dir, 'w.safetensors'), { w, h });
      const onCpu = loadSafetensors(join(dir, 'w.safetensors')).tensors;
      assert.equal(onCpu.get('w')!.device, 'cpu');
      assert.equal(maxDiff(onCpu.get('w')!, w), 0);
      const back = loadSafetensors(join(dir, 'w.safetensors'), { device: 'cuda' }).tensors;
      assert.match(back.get('h')!.device, /^cuda/);
      assert.equal(back.get('h')!.dtype, 'bfloat16');
      assert.equal(maxDiff(back.get('h')!, h), 0);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
