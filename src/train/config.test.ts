/** Training settings on resume: kept settings keep their last value unless given; fixed ones refuse a change. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from './pair.js';
import { CYCLE_SCHEDULE, cycleShare } from './config.js';
import { parseOptions } from '../core/options.js';
import { TRAIN_SCHEMA } from './families.js';
import { NO_AUGMENT, AUGMENT_DEFAULTS } from './augment.js';
import { FaceganError } from '../core/errors.js';

const parse = (...argv: string[]) => parseOptions(TRAIN_SCHEMA, argv).options;

test('a new folder takes the defaults; only training settings are stored', () => {
  const c = resolveConfig(
    { ...parse(), a: 'x', b: 'y', modelDir: 'm', signal: new AbortController().signal } as never,
    undefined,
    0.625,
  );
  assert.equal(c.model, 'lightweight');
  assert.deepEqual([c.lr, c.batchSize, c.ema], [3e-4, 8, 100], "lightweight's own lr and batch, averaged weights");
  assert.deepEqual(
    c.loss.map((t) => [t.term, t.weight]),
    [
      ['ssim', 1],
      ['mse', 3],
    ],
    "lightweight's own loss: the squared error weighted 3",
  );
  const at128 = resolveConfig(parse('--model', 'lightweight128'), undefined, 0.625);
  assert.deepEqual(
    [at128.lr, at128.loss.map((t) => t.weight)],
    [2e-4, [1, 1]],
    'lightweight128 keeps what it was measured with',
  );
  const original = resolveConfig(parse('--model', 'original'), undefined, 0.625);
  assert.deepEqual([original.lr, original.batchSize], [1e-4, 16], "the family's defaults for the others");
  const given = resolveConfig(parse('--lr', '5e-5', '--batch-size', '12'), undefined, 0.625);
  assert.deepEqual([given.lr, given.batchSize], [5e-5, 12], 'what is given wins');
  assert.equal(c.precision, 'auto', 'bf16 where it runs natively, else fp32');
  assert.equal(c.timelapse, false);
  assert.deepEqual(c.augment, AUGMENT_DEFAULTS);
  for (const k of ['a', 'b', 'modelDir', 'signal']) assert.ok(!(k in c), `${k} is not a setting`);
});

test('a resumed run keeps the last lr, precision, iterations and augmentation unless they are given again', () => {
  const first = resolveConfig(
    parse('--lr', '2e-4', '--precision', 'bf16', '--iterations', '500', '--no-augment', '--timelapse'),
    undefined,
    0.625,
  );
  const resumed = resolveConfig(parse(), first, 0.625);
  assert.equal(resumed.lr, 2e-4);
  assert.equal(resumed.precision, 'bf16');
  assert.equal(resumed.iterations, 500);
  assert.equal(resumed.timelapse, true);
  assert.deepEqual(resumed.augment, NO_AUGMENT);
  const changed = resolveConfig(parse('--lr', '5e-5', '--augment', '--iterations', '900'), first, 0.625);
  assert.equal(changed.lr, 5e-5);
  assert.equal(changed.iterations, 900);
  assert.equal(changed.precision, 'bf16');
  assert.deepEqual(changed.augment, AUGMENT_DEFAULTS);
});

test('a fixed setting given differently on resume is refused, and the same value is accepted', () => {
  const first = resolveConfig(parse('--model', 'original'), undefined, 0.625);
  assert.throws(
    () => resolveConfig(parse('--model', 'lightweight'), first, 0.625),
    (e: unknown) => e instanceof FaceganError && /--model "original"/.test(e.message),
  );
  assert.equal(resolveConfig(parse('--model', 'original'), first, 0.625).model, 'original');
  assert.throws(() => resolveConfig(parse(), first, 0.75), /extracted with --coverage 0.75/);
});

test('the latent cycle is off while the decoders first learn, then rises to its full weight', () => {
  const { start, full } = CYCLE_SCHEDULE;
  assert.ok(start > 0 && full > start);
  assert.equal(cycleShare(0), 0);
  assert.equal(cycleShare(start), 0);
  assert.equal(cycleShare((start + full) / 2), 0.5);
  assert.equal(cycleShare(full), 1);
  assert.equal(cycleShare(full * 10), 1);
});

test("--cycle-weight's help gives the pair models' latent cycle and CycleGAN's lambda, with each default", () => {
  const help = TRAIN_SCHEMA.cycleWeight.help;
  assert.match(help, /^pair models: weight of the latent cycle.*\(default 0\); CycleGAN: weight of the cycle L1/);
  assert.match(help, /\(default 10\)$/);
});
