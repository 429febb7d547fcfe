/**
 * The detection thread: one detector of the registry answering frames in the order they come (video tracking keeps
 * working).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetector } from './detectors.js';
import type { DetectorOptions } from './detected.js';
import type { DetectRequest, DetectReply } from './detector-thread.js';

const detector = createDetector(workerData as DetectorOptions);
const port = parentPort!;
// the models load while the caller sets up, not when the first frame comes (a failure shows again there)
detector.warm?.().catch(() => undefined);
let queue = Promise.resolve();

port.on('message', (req: DetectRequest) => {
  // one at a time, in order: the tracker follows faces from one frame to the next
  queue = queue.then(async () => {
    const t = performance.now();
    try {
      const faces = await detector.detect({ width: req.width, height: req.height, data: new Uint8Array(req.data) });
      port.postMessage({ id: req.id, faces, ms: performance.now() - t } satisfies DetectReply);
    } catch (e) {
      port.postMessage({ id: req.id, error: (e as Error).message } satisfies DetectReply);
    }
  });
});
