/**
 * face-api's SSD MobileNet v1 face detector run on facegan's libtorch engine: the same net, weights and decoding as
 * face-api's own `detectAllFaces` (the weights are read from face-api's loaded net, so they are decoded exactly as
 * it decodes them), about 4x faster than tfjs-wasm on one core. eval runs it twice a frame (on the input and on the
 * swap), where face-api's run took most of eval's time.
 *
 * What face-api does, and so this: the image padded with black at its right or bottom to a square, resized to
 * 512 x 512 (TensorFlow's bilinear resize without half-pixel centres), scaled to [-1, 1]; MobileNet v1 with 'same'
 * padding (TensorFlow's: the odd pixel after, not before), ReLU6 after every conv, batch norm after the depthwise
 * ones; six box predictors over 5,118 anchors; the boxes decoded, scored by sigmoid, kept over a confidence, and
 * thinned by greedy non-maximum suppression at IoU 0.5.
 */
import type { RgbImage } from '../core/image.js';
import { cat, conv2d, noGrad, pad, tensor, tidy, type Tensor } from '../engine/index.js';
import { faceApi, type TfTensor } from './face-api.js';
import { SSD_FOUND } from './identity.js';

/** The side the net reads. */
const INPUT = 512;
const BN_EPSILON = 0.0010000000474974513;
const NMS_IOU = 0.5;

/** A face SSD found: [x, y, width, height] in image pixels, and its confidence. */
export interface SsdFace {
  box: [number, number, number, number];
  score: number;
}

interface Conv {
  weight: Tensor;
  bias: Tensor;
  stride: number;
  groups: number;
}

/** A loaded net's params, by layer. */
type TfParams = Record<string, Record<string, TfTensor | Record<string, TfTensor>>>;

/** A TensorFlow filter [kH, kW, in, out] as a torch weight [out, in, kH, kW] (depthwise: [C, 1, kH, kW]). */
function weightOf(t: TfTensor, depthwise = false): Tensor {
  return tidy(() => {
    const w = tensor(t.dataSync(), { shape: t.shape });
    return (depthwise ? w.permute(2, 3, 0, 1) : w.permute(3, 2, 0, 1)).contiguous();
  });
}
const vectorOf = (t: TfTensor): Tensor => tensor(Float32Array.from(t.dataSync()));

/** A conv with its batch norm folded in: w * gamma / sqrt(var + eps), beta - mean * gamma / sqrt(var + eps). */
function depthwise(p: Record<string, TfTensor>, stride: number): Conv {
  const gamma = p.batch_norm_scale!.dataSync(),
    beta = p.batch_norm_offset!.dataSync(),
    mean = p.batch_norm_mean!.dataSync(),
    variance = p.batch_norm_variance!.dataSync();
  const scale = gamma.map((g, i) => g / Math.sqrt(variance[i]! + BN_EPSILON));
  const bias = beta.map((b, i) => b - mean[i]! * scale[i]!);
  const weight = tidy(() => {
    const w = weightOf(p.filters!, true);
    return w.mul(tensor(scale).reshape(-1, 1, 1, 1));
  });
  return { weight, bias: tensor(bias), stride, groups: scale.length };
}

const pointwise = (p: Record<string, TfTensor>, stride = 1): Conv => ({
  weight: weightOf(p.filters!),
  bias: vectorOf(p.batch_norm_offset ?? p.bias!),
  stride,
  groups: 1,
});

/** TensorFlow's 'same' padding: [before, after] for one side, the odd pixel after. */
function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function run(x: Tensor, c: Conv, relu6: boolean): Tensor {
  const k = c.weight.shape[2]!;
  const [top, bottom] = samePadding(x.shape[2]!, k, c.stride),
    [left, right] = samePadding(x.shape[3]!, k, c.stride);
  // even padding goes to the conv itself; TensorFlow's uneven one (stride 2) is padded first
  const even = top === bottom && left === right;
  const input = even ? x : pad(x, [left, right, top, bottom]);
  const y = conv2d(input, c.weight, c.bias, { stride: c.stride, groups: c.groups, padding: even ? [top, left] : 0 });
  return relu6 ? y.clamp_(0, 6) : y;
}

/** The image as face-api feeds its SSD: [1, 3, 512, 512] in [-1, 1], and the size it was scaled to in there. */
function netInput(image: RgbImage): { input: Float32Array; reshaped: { width: number; height: number } } {
  const { width, height, data } = image;
  const side = Math.max(width, height); // padded with black at the right or bottom
  const scale = side / INPUT; // TensorFlow's resize without half-pixel centres: source = target * scale
  const input = new Float32Array(3 * INPUT * INPUT);
  const plane = INPUT * INPUT;
  const xs = new Int32Array(INPUT),
    xLerp = new Float32Array(INPUT);
  for (let x = 0; x < INPUT; x++) {
    const sx = x * scale;
    xs[x] = Math.floor(sx);
    xLerp[x] = sx - xs[x]!;
  }
  // a source pixel's offset in data, or -1 where it lies in the black padding
  const at = (x: number, y: number) => (x < width && y < height ? (y * width + x) * 3 : -1);
  const value = (offset: number, c: number) => (offset < 0 ? 0 : data[offset + c]!);
  for (let y = 0; y < INPUT; y++) {
    const sy = y * scale,
      y0 = Math.floor(sy),
      y1 = Math.min(y0 + 1, side - 1),
      fy = sy - y0;
    for (let x = 0; x < INPUT; x++) {
      const x0 = xs[x]!,
        x1 = Math.min(x0 + 1, side - 1),
        fx = xLerp[x]!;
      const a = at(x0, y0),
        b = at(x1, y0),
        c0 = at(x0, y1),
        d = at(x1, y1);
      for (let c = 0; c < 3; c++) {
        const va = value(a, c),
          vc = value(c0, c);
        const top = va + (value(b, c) - va) * fx;
        const bottom = vc + (value(d, c) - vc) * fx;
        input[c * plane + y * INPUT + x] = (top + (bottom - top) * fy) / 127.5 - 1;
      }
    }
  }
  const s = INPUT / side;
  return { input, reshaped: { width: Math.round(width * s), height: Math.round(height * s) } };
}

/** IoU of two [ymin, xmin, ymax, xmax] boxes, as face-api computes it. */
function iou(b: Float32Array, i: number, j: number): number {
  const [ay0, ax0, ay1, ax1] = [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!];
  const [by0, bx0, by1, bx1] = [b[4 * j]!, b[4 * j + 1]!, b[4 * j + 2]!, b[4 * j + 3]!];
  const areaA = (Math.max(ay0, ay1) - Math.min(ay0, ay1)) * (Math.max(ax0, ax1) - Math.min(ax0, ax1));
  const areaB = (Math.max(by0, by1) - Math.min(by0, by1)) * (Math.max(bx0, bx1) - Math.min(bx0, bx1));
  if (areaA <= 0 || areaB <= 0) return 0;
  const h = Math.max(
    Math.min(Math.max(ay0, ay1), Math.max(by0, by1)) - Math.max(Math.min(ay0, ay1), Math.min(by0, by1)),
    0,
  );
  const w = Math.max(
    Math.min(Math.max(ax0, ax1), Math.max(bx0, bx1)) - Math.max(Math.min(ax0, ax1), Math.min(bx0, bx1)),
    0,
  );
  return (h * w) / (areaA + areaB - h * w);
}

/** Greedy non-maximum suppression: the best box first, each later one kept when it overlaps none kept over 0.5. */
function suppress(boxes: Float32Array, scores: Float32Array, minConfidence: number, maxResults: number): number[] {
  const order = [...scores.keys()].filter((i) => scores[i]! > minConfidence).sort((a, b) => scores[b]! - scores[a]!);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxResults) break;
    if (kept.every((j) => iou(boxes, i, j) <= NMS_IOU)) kept.push(i);
  }
  return kept;
}

/** SSD MobileNet v1 (face-api's weights) on libtorch. Load once with SsdNet.load(); detect() any number of times. */
export class SsdNet {
  private constructor(
    private readonly backbone: { dw?: Conv; pw: Conv }[],
    private readonly extras: Conv[],
    private readonly predictors: { box: Conv; cls: Conv }[],
    private readonly anchors: Float32Array,
  ) {}

  static async load(): Promise<SsdNet> {
    const api = await faceApi('ssdMobilenetv1');
    const params = (api.nets.ssdMobilenetv1 as unknown as { params: Record<string, TfParams> }).params;
    const mobilenet = params.mobilenetv1!,
      prediction = params.prediction_layer!;
    return noGrad(() => {
      const backbone: { dw?: Conv; pw: Conv }[] = [{ pw: pointwise(mobilenet.conv_0 as Record<string, TfTensor>, 2) }];
      for (let i = 1; i <= 13; i++) {
        const pair = mobilenet[`conv_${i}`] as unknown as Record<string, Record<string, TfTensor>>;
        const stride = [2, 4, 6, 12].includes(i) ? 2 : 1;
        backbone.push({ dw: depthwise(pair.depthwise_conv!, stride), pw: pointwise(pair.pointwise_conv!) });
      }
      const extras = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        pointwise(prediction[`conv_${i}`] as Record<string, TfTensor>, i % 2 ? 2 : 1),
      );
      const predictors = [0, 1, 2, 3, 4, 5].map((i) => {
        const p = prediction[`box_predictor_${i}`] as unknown as Record<string, Record<string, TfTensor>>;
        return { box: pointwise(p.box_encoding_predictor!), cls: pointwise(p.class_predictor!) };
      });
      const extraDim = (params.output_layer as unknown as { extra_dim: TfTensor }).extra_dim;
      return new SsdNet(backbone, extras, predictors, Float32Array.from(extraDim.dataSync()));
    });
  }

  /** The faces over minConfidence (face-api's options: minConfidence, maxResults), best first. */
  detect(image: RgbImage, minConfidence = 0.5, maxResults = 100): SsdFace[] {
    const { input, reshaped } = netInput(image);
    const { encodings, scores } = noGrad(() =>
      tidy(() => {
        let x = tensor(input, { shape: [1, 3, INPUT, INPUT] });
        let conv11 = x;
        this.backbone.forEach((layer, i) => {
          if (layer.dw) x = run(x, layer.dw, true);
          x = run(x, layer.pw, true);
          if (i === 11) conv11 = x;
        });
        const maps = [conv11, x];
        let y = x;
        this.extras.forEach((c, i) => {
          y = run(y, c, true);
          if (i % 2) maps.push(y);
        });
        // NHWC order, as TensorFlow lays the predictions out: anchors run over rows, columns, then the map's anchors
        const flat = (t: Tensor, n: number) => t.permute(0, 2, 3, 1).reshape(-1, n);
        const box = this.predictors.map((p, i) => flat(run(maps[i]!, p.box, false), 4));
        const cls = this.predictors.map((p, i) => flat(run(maps[i]!, p.cls, false), 3));
        return {
          encodings: cat(box, 0).contiguous().data() as Float32Array,
          scores: cat(cls, 0).slice(1, 1, 2).sigmoid().contiguous().data() as Float32Array,
        };
      }),
    );
    const boxes = this.decode(encodings);
    const padX = INPUT / reshaped.width,
      padY = INPUT / reshaped.height;
    return suppress(boxes, scores, minConfidence, maxResults).map((i) => {
      const top = Math.max(0, boxes[4 * i]!) * padY,
        bottom = Math.min(1, boxes[4 * i + 2]!) * padY,
        left = Math.max(0, boxes[4 * i + 1]!) * padX,
        right = Math.min(1, boxes[4 * i + 3]!) * padX;
      return {
        box: [left * image.width, top * image.height, (right - left) * image.width, (bottom - top) * image.height],
        score: scores[i]!,
      };
    });
  }

  /** Box encodings against the anchors: [ymin, xmin, ymax, xmax] in the padded square's 0-1 coordinates. */
  private decode(e: Float32Array): Float32Array {
    const a = this.anchors,
      out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i += 4) {
      const h = a[i + 2]! - a[i]!,
        w = a[i + 3]! - a[i + 1]!;
      const cy = a[i]! + h / 2 + (e[i]! / 10) * h,
        cx = a[i + 1]! + w / 2 + (e[i + 1]! / 10) * w;
      const hh = (Math.exp(e[i + 2]! / 5) * h) / 2,
        hw = (Math.exp(e[i + 3]! / 5) * w) / 2;
      out[i] = cy - hh;
      out[i + 1] = cx - hw;
      out[i + 2] = cy + hh;
      out[i + 3] = cx + hw;
    }
    return out;
  }
}

let loaded: Promise<SsdNet> | undefined;

/**
 * The faces SSD finds in an image, best first, with the net loaded once per thread: eval asks it whether a swapped
 * face still looks like a face (a second detector, another net than extract's BlazeFace), extract's `ssd` and `both`
 * detectors where the faces are.
 */
export async function detectFacesSsd(image: RgbImage, minConfidence = SSD_FOUND, maxResults = 20): Promise<SsdFace[]> {
  const net = await (loaded ??= SsdNet.load().catch((e: unknown) => {
    loaded = undefined; // a failed load is tried again by the next call
    throw e;
  }));
  return net.detect(image, minConfidence, maxResults);
}
