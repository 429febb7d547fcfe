/** A small trained swap model for tests and benches of convert and the queue (not for its quality). */
import { train } from '../train/trainer.js';
import { extractedFaces } from './faces.js';

/** The lightweight model after 10 iterations on 6 faces each of GRID s1 (A) and s2 (B), written to `modelDir`. */
export async function tinySwapModel(modelDir: string): Promise<string> {
  const [a, b] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
  await train({ a, b, modelDir, model: 'lightweight', batchSize: 4, iterations: 10, saveEvery: 10, previewEvery: 10 });
  return modelDir;
}
