/** The data worker: loads both facesets, then answers batch requests (typed arrays sent back without copying). */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFaceset } from './faceset.js';
import { makeBatch, type Side } from './batches.js';
import type { LoaderConfig, LoaderRequest, LoaderReply } from './loader.js';

const config = workerData as LoaderConfig;
const port = parentPort!;
const sets = Promise.all([
  loadFaceset(config.folders.a, config.minSide, 'faces A', config.files.a),
  loadFaceset(config.folders.b, config.minSide, 'faces B', config.files.b),
]);

port.on('message', (req: LoaderRequest) => {
  sets
    .then(([a, b]) => {
      const faces = { a: a.faces, b: b.faces };
      const batches = {} as Record<Side, ReturnType<typeof makeBatch>>;
      for (const side of ['a', 'b'] as Side[])
        batches[side] = makeBatch(faces[side], side, req.iteration, config.batchSize, config.seed, config.sample);
      const reply: LoaderReply = { iteration: req.iteration, batches };
      const transfer = Object.values(batches).flatMap((x) => [
        x.input.buffer,
        x.target.buffer,
        x.mask.buffer,
        x.weights.buffer,
      ]);
      port.postMessage(reply, transfer as ArrayBuffer[]);
    })
    .catch((e: Error) => port.postMessage({ iteration: req.iteration, error: e.message } satisfies LoaderReply));
});
