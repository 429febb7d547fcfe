/**
 * facegan's public API. The CLI calls these same functions.
 *
 * @example
 * import { tensor, tidy, Adam, nn } from 'facegan';
 * const layer = new nn.Linear(2, 1);
 * const opt = new Adam(layer, { lr: 1e-2 });
 * const loss = tidy(() => {
 *   opt.zeroGrad();
 *   const l = layer.forward(tensor([[1, 2]])).square().mean();
 *   l.backward();
 *   opt.step();
 *   return l.item();
 * });
 */
import { libtorchVersion, numThreads, cuda } from './engine/index.js';
import { VERSION } from './version.js';

// ---- errors ----
export { FaceganError, ErrorCodes, type ErrorCode, isFaceganError } from './core/errors.js';

// ---- engine: tensors, autograd, modules, optimizers, files ----
export * from './engine/index.js';

// ---- layers ----
export * as nn from './nn/index.js';

// ---- models ----
export { OriginalModel, ORIGINAL_SPEC, type OriginalOptions } from './models/original.js';
export { PairAutoencoder, Encoder, type AutoencoderSpec, type AutoencoderOptions } from './models/autoencoder.js';
export { models, pairModels, createModel, MODEL_NAMES, type ModelName, type FamilyId } from './models/registry.js';
export { PatchDiscriminator } from './models/patchgan.js';
export {
  ResnetGenerator,
  CycleGenerators,
  CycleDiscriminators,
  UPSAMPLE_MODES,
  type CycleGanSpec,
} from './models/cyclegan.js';
export { loadTrainedModel, type TrainedModel, type SwapModel } from './models/trained.js';
export { StyleGenerator, StyleDiscriminator, type StyleGanSpec } from './models/stylegan/index.js';
export { loadStyleGan, type TrainedStyleGan } from './models/stylegan/load.js';

// ---- stages: what the facegan command runs, one function each ----
export { extract, type ExtractOptions, type ExtractSummary } from './extract/extract.js';
export { train, type TrainOptions, type TrainSummary } from './train/trainer.js';
export { convert, type ConvertOptions, type ConvertSummary } from './convert/convert.js';
export { translate, type TranslateOptions } from './convert/translate.js';
export { evaluate, type EvalOptions, type EvalResult } from './eval/eval.js';
export { evalGen, type GenEvalOptions } from './eval/gen-eval.js';
export { generate, type GenerateOptions, type GenerateSummary } from './generate/generate.js';
export { interpolate, type InterpolateOptions } from './generate/interpolate.js';
export { project, type ProjectOptions, type ProjectSummary } from './generate/project.js';

// ---- work shared over machines: a job queue on Redis (BullMQ) ----
export { convertJob, type ConvertJobOptions, type ConvertJobSummary } from './queue/convert-job.js';
export { startWorker, type WorkerOptions, type RunningWorker } from './queue/worker.js';
export { listJobs, cancelJob, type JobStatus } from './queue/jobs.js';
export {
  extractJob,
  planExtract,
  type ExtractJobOptions,
  type ExtractJobSummary,
} from './queue/extract-job.js';
export { planConvert } from './queue/plan-convert.js';
export type { Job, ConvertJob, ExtractJob, Task } from './queue/job.js';

// ---- the web dashboard (facegan serve) ----
export { serve, type ServeOptions } from './server/app.js';

export { VERSION } from './version.js';

/**
 * What this installation runs on.
 * @example
 * engineInfo(); // { version: '0.1.0', libtorch: '1.13.0', threads: 2, cuda: false, ... }
 */
export function engineInfo(): {
  version: string;
  node: string;
  libtorch: string;
  threads: number;
  cuda: boolean;
  cudaDevices: number;
} {
  return {
    version: VERSION,
    node: process.versions.node,
    libtorch: libtorchVersion(),
    threads: numThreads(),
    cuda: cuda.isAvailable(),
    cudaDevices: cuda.deviceCount(),
  };
}
