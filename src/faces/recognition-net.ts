/**
 * face-api's recognition net (a port of dlib's ResNet: 128 numbers a face) run on facegan's libtorch engine, with the
 * weights read from face-api's loaded net: the descriptors face-api gives, several times sooner than tfjs-wasm.
 *
 * What face-api does, and so this, for a 150 x 150 chip: the mean RGB (122.782, 117.001, 104.298) taken away and the
 * result divided by 255; a 7 x 7 conv of stride 2 ('valid') and a 3 x 3 max pool of stride 2; residual blocks of two
 * 3 x 3 convs (each conv followed by a per-channel scale and shift, ReLU after the first and after the sum); the
 * blocks that halve the size add a 2 x 2 average pool of their input, its channels doubled with zeros, and pad their
 * own output with a zero row and column where it came out one smaller; the mean over the picture; a 256 x 128 matrix.
 */
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { avgPool2d, cat, conv2d, maxPool2d, noGrad, pad, tensor, tidy, type Tensor } from '../engine/index.js';
import { faceApi, type TfTensor } from './face-api.js';

/** The side of the chips the net reads. */
export const RECOGNITION_INPUT = 150;
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

interface TfConv {
  conv: { filters: TfTensor; bias: TfTensor };
  scale: { weights: TfTensor; biases: TfTensor };
}
interface Conv {
  weight: Tensor;
  bias: Tensor;
  stride: number;
  /** 'same' (a 3 x 3 kernel: 1 a side) or 'valid' (none). */
  padding: number;
}
interface Block {
  conv1: Conv;
  conv2: Conv;
  down: boolean;
}

/** A conv with its bias, scale and shift folded: (conv(x) + b) * s + t = conv_{w * s}(x) + (b * s + t). */
function folded(p: TfConv, stride: number, same: boolean): Conv {
  const s = p.scale.weights.dataSync(),
    t = p.scale.biases.dataSync(),
    b = p.conv.bias.dataSync();
  const weight = tidy(() =>
    tensor(p.conv.filters.dataSync(), { shape: p.conv.filters.shape })
      .permute(3, 2, 0, 1)
      .mul(tensor(Float32Array.from(s)).reshape(-1, 1, 1, 1))
      .contiguous(),
  );
  const bias = tensor(Float32Array.from(b, (v, i) => v * s[i]! + t[i]!));
  return { weight, bias, stride, padding: same ? (p.conv.filters.shape[0]! - 1) / 2 : 0 };
}

const run = (x: Tensor, c: Conv, relu: boolean) => {
  const y = conv2d(x, c.weight, c.bias, { stride: c.stride, padding: c.padding });
  return relu ? y.relu() : y;
};

/** face-api's recognition net on libtorch. Load once with RecognitionNet.load(). */
export class RecognitionNet {
  private constructor(
    private readonly stem: Conv,
    private readonly blocks: Block[],
    private readonly fc: Tensor,
  ) {}

  static async load(): Promise<RecognitionNet> {
    const api = await faceApi('faceRecognitionNet');
    const p = (api.nets.faceRecognitionNet as unknown as { params: Record<string, unknown> }).params;
    const names = [
      'conv32_1',
      'conv32_2',
      'conv32_3',
      'conv64_down',
      'conv64_1',
      'conv64_2',
      'conv64_3',
      'conv128_down',
      'conv128_1',
      'conv128_2',
      'conv256_down',
      'conv256_1',
      'conv256_2',
      'conv256_down_out',
    ];
    return noGrad(() => {
      const blocks = names.map((name) => {
        const b = p[name] as { conv1: TfConv; conv2: TfConv };
        const down = name.includes('down');
        return { conv1: folded(b.conv1, down ? 2 : 1, !down), conv2: folded(b.conv2, 1, true), down };
      });
      const fc = p.fc as TfTensor;
      return new RecognitionNet(
        folded(p.conv32_down as TfConv, 2, false),
        blocks,
        tensor(fc.dataSync(), { shape: fc.shape }),
      );
    });
  }

  /** The 128-d descriptors of 150 x 150 chips. */
  describe(chips: readonly RgbImage[]): number[][] {
    if (!chips.length) return [];
    const n = chips.length,
      plane = RECOGNITION_INPUT * RECOGNITION_INPUT;
    const input = new Float32Array(n * 3 * plane);
    chips.forEach((chip, k) => {
      if (chip.width !== RECOGNITION_INPUT || chip.height !== RECOGNITION_INPUT)
        throw new FaceganError(
          ErrorCodes.BAD_ARGUMENT,
          `The recognition net reads ${RECOGNITION_INPUT} px chips, not ${chip.width} x ${chip.height}: ` +
            'cut them as IDENTITY_CHIP says.',
        );
      for (let i = 0; i < plane; i++)
        for (let c = 0; c < 3; c++) input[(k * 3 + c) * plane + i] = (chip.data[i * 3 + c]! - MEAN_RGB[c]!) / 255;
    });
    const out = noGrad(() =>
      tidy(() => {
        let x = run(tensor(input, { shape: [n, 3, RECOGNITION_INPUT, RECOGNITION_INPUT] }), this.stem, true);
        x = maxPool2d(x, 3, 2);
        for (const b of this.blocks) {
          let y = run(run(x, b.conv1, true), b.conv2, false);
          let skip = x;
          if (b.down) {
            skip = avgPool2d(x, 2, 2);
            // a 'valid' conv of stride 2 on an even side comes out one smaller: a zero row and column after it
            const [dh, dw] = [skip.shape[2]! - y.shape[2]!, skip.shape[3]! - y.shape[3]!];
            if (dh || dw) y = pad(y, [0, dw, 0, dh]);
            if (skip.shape[1] !== y.shape[1]) skip = cat([skip, skip.mul(0)], 1);
          }
          x = y.add(skip).relu();
        }
        return x.mean([2, 3]).matmul(this.fc).contiguous().data() as Float32Array;
      }),
    );
    return chips.map((_, k) => Array.from(out.subarray(k * 128, (k + 1) * 128)));
  }
}

let loaded: Promise<RecognitionNet> | undefined;

/** The recognition net, loaded once per thread (a failed load is tried again by the next call). */
export function recognitionNet(): Promise<RecognitionNet> {
  return (loaded ??= RecognitionNet.load().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  }));
}
