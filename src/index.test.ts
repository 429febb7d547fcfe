/** The package root: the stages a Node project imports from 'facegan' run as the CLI runs them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GENERATED_SOURCE_TYPE, readImageSourceType } from './media/provenance.js';
import { join } from 'node:path';
import * as facegan from './index.js';
import { extractedFaces, testTmp } from './testing/faces.js';
import { TINY_STYLEGAN } from './testing/stylegan.js';

test('every stage is exported from the package root', () => {
  for (const stage of [
    'extract',
    'train',
    'convert',
    'evaluate',
    'evalGen',
    'generate',
    'interpolate',
    'project',
    'convertJob',
    'extractJob',
    'startWorker',
    'translate',
    'serve',
  ])
    assert.equal(typeof (facegan as Record<string, unknown>)[stage], 'function', stage);
});

test('train then generate through the package root: a small StyleGAN, two labelled faces', async () => {
  const model = join(testTmp(), 'index-stylegan');
  const s = await facegan.train({
    a: await extractedFaces('grid_s1', 8),
    modelDir: model,
    ...TINY_STYLEGAN,
    iterations: 2,
  });
  assert.equal(s.iteration, 2);
  const out = join(testTmp(), 'index-faces');
  const g = await facegan.generate({ modelDir: model, seeds: [0, 1], output: out });
  assert.equal(g.files.length, 2);
  for (const f of g.files) {
    assert.ok(existsSync(f));
    assert.equal(await readImageSourceType(f), GENERATED_SOURCE_TYPE, `${f} is labelled as generated`);
  }
});
