/** The data worker: answers batch requests from the shared faces (typed arrays sent back without copying). */
import { parentPort, workerData } from 'node:worker_threads';
import { makeBatch, type Side } from './batches.js';
import type { LoaderConfig, LoaderRequest, LoaderReply } from './loader.js';
import { sharedFaceSources } from './shared-faces.js';

const config = workerData as LoaderConfig;
const port = parentPort!;
const faces = { a: sharedFaceSources(config.faces.a), b: sharedFaceSources(config.faces.b) };

port.on('message', (req: LoaderRequest) => {
  try {
    const batches = {} as Record<Side, ReturnType<typeof makeBatch>>;
    for (const [side, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const)
      batches[side] = makeBatch(
        faces[side],
        side,
        req.iteration,
        config.batchSize,
        config.seed,
        config.sample,
        faces[other],
      );
    const reply: LoaderReply = { iteration: req.iteration, batches };
    const transfer = Object.values(batches).flatMap((x) => [
      x.input.buffer,
      x.target.buffer,
      x.mask.buffer,
      x.weights.buffer,
    ]);
    port.postMessage(reply, transfer as ArrayBuffer[]);
  } catch (e) {
    port.postMessage({ iteration: req.iteration, error: (e as Error).message } satisfies LoaderReply);
  }
});
