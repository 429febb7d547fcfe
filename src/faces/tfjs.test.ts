/** The face models load without touching the network, and a program that imports facegan keeps its own fetch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HumanDetector } from './human.js';
import { detectFacesSsd } from './ssd-net.js';
import { withFileFetch } from './tfjs.js';

test("withFileFetch: file:// read from disk, the network refused, and the thread's fetch put back", async () => {
  const own = globalThis.fetch;
  const pkg = pathToFileURL(fileURLToPath(new URL('../../package.json', import.meta.url))).href;
  const name = await withFileFetch(async () => {
    assert.notEqual(globalThis.fetch, own, 'in place while a model loads');
    await assert.rejects(fetch('https://example.com/model.json'), /does not download at run time/);
    return ((await (await fetch(pkg)).json()) as { name: string }).name;
  });
  assert.equal(name, 'facegan');
  assert.equal(globalThis.fetch, own, 'put back');
});

test('loading the face models in this thread leaves its fetch as it was', async () => {
  const own = globalThis.fetch;
  const d = new HumanDetector({ rotations: false });
  await d.load();
  assert.equal(globalThis.fetch, own, 'after Human');
  const found = await detectFacesSsd({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) });
  assert.deepEqual(found, [], 'no face in grey');
  assert.equal(globalThis.fetch, own, 'after face-api');
});
