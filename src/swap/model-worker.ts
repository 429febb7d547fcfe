/**
 * The model's thread (swap/model-thread.ts): loads a trained model, then runs batches of prepared faces through
 * it, each answered with the output's pixels (sent back without copying).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tensor } from '../engine/index.js';
import { loadTrainedModel } from '../models/trained.js';
import { forwardModel } from './swap.js';
import type { ModelReply, ModelRequest, ModelThreadOptions } from './model-thread.js';

const o = workerData as ModelThreadOptions;
const port = parentPort!;
const reply = (r: ModelReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

try {
  const trained = loadTrainedModel(o.modelDir, o.device);
  const size = trained.geometry.size;
  reply({ id: -1 });
  port.on('message', (req: ModelRequest) => {
    try {
      const n = req.pixels.length / (3 * size * size);
      const y = forwardModel(trained, tensor(req.pixels, { shape: [n, 3, size, size] }), {
        ...o,
        decoder: req.decoder,
      });
      const shape = y.shape as number[];
      const pixels = y.data() as Float32Array;
      y.dispose();
      // sent without a copy where the array owns its whole buffer (a small one may share Node's pool)
      const whole = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength;
      reply({ id: req.id, pixels, shape }, whole ? [pixels.buffer as ArrayBuffer] : []);
    } catch (e) {
      reply({ id: req.id, error: (e as Error).message, code: (e as { code?: string }).code });
    }
  });
} catch (e) {
  reply({ id: -1, error: (e as Error).message, code: (e as { code?: string }).code });
}
