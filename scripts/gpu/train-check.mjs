#!/usr/bin/env node
// `facegan train` end to end on a GPU: two folders of synthetic 256 px faces (an oval of skin on a background, one
// colour per person, a moving mouth), a short run of each model, then one resumed. Prints each run's speed from its
// log.jsonl and fails when a run fails, does not resume, or does not learn.
// Usage: node scripts/gpu/train-check.mjs OUT_DIR [cuda|cpu] [iterations] [batch divisor, for a CPU's dry run]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';

const [_out = '/tmp/gpu-out', device = 'cuda', iterations = '300', divisor = '1'] = process.argv.slice(2);
const work = join(tmpdir(), 'facegan-train-check');
rmSync(work, { recursive: true, force: true });

async function person(dir, skin, n) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const mouth = 4 + (i % 7) * 3;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">
      <rect width="256" height="256" fill="rgb(${40 + i},${60 + 2 * i},90)"/>
      <ellipse cx="128" cy="128" rx="${78 + (i % 5)}" ry="100" fill="${skin}"/>
      <ellipse cx="96" cy="108" rx="12" ry="7" fill="#222"/><ellipse cx="160" cy="108" rx="12" ry="7" fill="#222"/>
      <ellipse cx="128" cy="178" rx="26" ry="${mouth}" fill="#822"/></svg>`;
    await sharp(Buffer.from(svg))
      .png()
      .toFile(join(dir, `face_${String(i).padStart(3, '0')}.png`));
  }
}
await person(join(work, 'a'), 'rgb(230,190,170)', 32);
await person(join(work, 'b'), 'rgb(120,80,60)', 32);

function train(model, extra) {
  const args = [
    'bin/facegan.js',
    'train',
    '-A',
    join(work, 'a'),
    '-B',
    join(work, 'b'),
    '-m',
    join(work, model),
    '--device',
    device,
    '--save-every',
    '100',
    '--preview-every',
    '100',
    '--log-every',
    '10',
    ...extra,
  ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const s = (performance.now() - t0) / 1000;
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-4).join('\n');
  console.log(`${model} ${extra.join(' ')}: exit ${r.status} in ${s.toFixed(1)} s\n${tail}`);
  if (r.status !== 0) process.exit(1);
  return readFileSync(join(work, model, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const it = Number(iterations);
for (const [model, batch, precision] of [
  ['original', 64, 'auto'],
  ['lightweight', 64, 'auto'],
  ['h128', 32, 'auto'],
]) {
  const size = String(Math.max(2, batch / Number(divisor)));
  const log = train(model, [
    '--model',
    model,
    '--batch-size',
    size,
    '--iterations',
    String(it),
    '--precision',
    precision,
  ]);
  const resumed = train(model, ['--iterations', String(it + 10)]);
  const first = log[0],
    last = log.at(-1);
  const itPerS = (last.iteration - first.iteration) / (last.seconds - first.seconds);
  console.log(
    JSON.stringify({
      model,
      device,
      batch: Number(size),
      itPerS: +itPerS.toFixed(2),
      facesPerS: +(itPerS * 2 * Number(size)).toFixed(1),
      first,
      last,
      resumed_to: resumed.at(-1)?.iteration,
    }),
  );
  const mean = (rows, k) => rows.reduce((t, r) => t + r[k], 0) / rows.length;
  const early = log.slice(0, 3),
    late = log.slice(-3);
  if (log.length >= 6 && !(mean(late, 'lossA') < mean(early, 'lossA') && mean(late, 'lossB') < mean(early, 'lossB'))) {
    console.error('the losses did not fall');
    process.exit(1);
  }
  if (resumed.at(-1)?.iteration !== it + 10) {
    console.error('the resumed run did not reach its iteration');
    process.exit(1);
  }
}
