/**
 * Batches as a pure function of (seed, side, iteration): faces are drawn epoch by epoch in a seeded order and
 * each sample's augmentation has its own named random stream. So any batch can be made again on its own: a
 * resumed run continues the exact sequence, and a worker can run ahead.
 */
import { Random } from '../core/random.js';
import { faceColour, makeSample, type FaceSource, type SampleOptions } from './augment.js';

export interface Batch {
  /** [B, 3, S, S] planar float RGB in 0-1. */
  input: Float32Array;
  target: Float32Array;
  /** [B, 1, S, S]. */
  mask: Float32Array;
  weights: Float32Array;
  /** Which faces (indices into the faceset). */
  faces: number[];
}

export const SIDES = { a: 0, b: 1 } as const;
export type Side = keyof typeof SIDES;

const orders = new Map<string, number[]>();

/** The faces of one batch: position k of the stream is face order_e[k mod n], epoch e = floor(k / n). */
export function batchFaces(count: number, batchSize: number, seed: number, side: Side, iteration: number): number[] {
  return Array.from({ length: batchSize }, (_, j) => {
    const k = iteration * batchSize + j,
      epoch = Math.floor(k / count);
    const key = `${count}:${seed}:${side}:${epoch}`;
    let order = orders.get(key);
    if (!order) {
      if (orders.size > 64) orders.clear();
      order = new Random(seed, SIDES[side], epoch, 0x0e70c).permutation(count);
      orders.set(key, order);
    }
    return order[k % count]!;
  });
}

const SIMILAR = 10;
const neighbourCache = new WeakMap<readonly FaceSource[], number[][]>();

/** For each face with landmarks, the SIMILAR faces whose landmarks are nearest (mean point distance); cached. */
export function similarFaces(faces: readonly FaceSource[]): number[][] {
  let table = neighbourCache.get(faces);
  if (!table) {
    table = faces.map((f, i) => {
      if (!f.landmarks) return [];
      const own = f.landmarks;
      return faces
        .map((g, j) => ({
          j,
          d:
            j === i || !g.landmarks
              ? Infinity
              : own.reduce((s, p, k) => s + Math.hypot(p[0] - g.landmarks![k]![0], p[1] - g.landmarks![k]![1]), 0),
        }))
        .filter((x) => Number.isFinite(x.d))
        .sort((a, b) => a.d - b.d)
        .slice(0, SIMILAR)
        .map((x) => x.j);
    });
    neighbourCache.set(faces, table);
  }
  return table;
}

/**
 * Stacks one sample per listed face into a batch; `rng(j)` gives the j-th sample's stream (none: no augmentation),
 * `others` the other side's faces, whose colours samples take at the rate o.colourTransfer.
 */
function assemble(
  faces: readonly FaceSource[],
  idx: number[],
  o: SampleOptions,
  rng?: (j: number) => Random,
  others?: readonly FaceSource[],
): Batch {
  const similar = o.toLandmarks && rng ? similarFaces(faces) : undefined;
  const n = idx.length,
    plane = o.size * o.size;
  const batch: Batch = {
    input: new Float32Array(n * 3 * plane),
    target: new Float32Array(n * 3 * plane),
    mask: new Float32Array(n * plane),
    weights: new Float32Array(n * plane),
    faces: idx,
  };
  idx.forEach((face, j) => {
    const r = rng?.(j);
    const near = similar?.[face];
    const other = r && near?.length ? faces[near[Math.floor(r.next() * near.length)]!]!.landmarks : undefined;
    // drawn only when asked, so that runs without it keep their streams
    const transfer = r && others?.length && o.colourTransfer && r.next() < o.colourTransfer;
    const colour = transfer ? faceColour(others[Math.floor(r.next() * others.length)]!, o) : undefined;
    const s = makeSample(faces[face]!, o, r, other, colour);
    batch.input.set(s.input, j * 3 * plane);
    batch.target.set(s.target, j * 3 * plane);
    batch.mask.set(s.mask, j * plane);
    batch.weights.set(s.weights, j * plane);
  });
  return batch;
}

/** One side's batch of an iteration; `others`: the other side's faces (for o.colourTransfer). */
export function makeBatch(
  faces: readonly FaceSource[],
  side: Side,
  iteration: number,
  batchSize: number,
  seed: number,
  o: SampleOptions,
  others?: readonly FaceSource[],
): Batch {
  const idx = batchFaces(faces.length, batchSize, seed, side, iteration);
  return assemble(faces, idx, o, (j) => new Random(seed, SIDES[side], iteration, j), others);
}

/** Fixed, un-augmented samples for previews: `count` faces spread evenly over the set. */
export function previewBatch(faces: readonly FaceSource[], count: number, o: SampleOptions): Batch {
  const n = Math.min(count, faces.length);
  return assemble(
    faces,
    Array.from({ length: n }, (_, i) => Math.floor((i * faces.length) / n)),
    o,
  );
}
