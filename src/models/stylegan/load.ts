/** A trained StyleGAN folder, read for generation: its EMA generator (what every output uses), in eval mode. */
import { existsSync } from 'node:fs';
import type { Device } from '../../engine/index.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { loadWeights, modelFiles, readModelConfig, readTrainState, requireConfigKeys } from '../trained.js';
import { StyleGenerator } from './generator.js';
import type { StyleGanSpec } from './spec.js';

export interface TrainedStyleGan {
  generator: StyleGenerator;
  spec: StyleGanSpec;
  iteration: number;
}

const KEYS = ['model', 'size', 'zDim', 'mappingLayers', 'channelBase', 'channelMax'] as const;

export function loadStyleGan(dir: string, device: Device = 'cpu', command = 'generate'): TrainedStyleGan {
  const files = modelFiles(dir);
  const config = readModelConfig<Record<string, unknown>>(dir, ['model']);
  if (config.model !== 'stylegan') {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${dir} holds a ${String(config.model)} model, which swaps or translates faces: facegan ${command} needs a ` +
        'StyleGAN model (facegan train --model stylegan -i FACES -m DIR).',
    );
  }
  requireConfigKeys(files.config, config, [...KEYS]);
  const spec: StyleGanSpec = {
    size: Number(config.size),
    zDim: Number(config.zDim),
    mapping: Number(config.mappingLayers),
    channelBase: Number(config.channelBase),
    channelMax: Number(config.channelMax),
  };
  const generator = new StyleGenerator(spec);
  loadWeights(generator, files.ema);
  generator.to(device).eval();
  const state = existsSync(files.state) ? readTrainState(files.state) : { iteration: 0 };
  return { generator, spec, iteration: state.iteration ?? 0 };
}
