/**
 * Measures of a generator's samples against real faces, in a feature space (face-api's 128-d identity descriptors,
 * since none of the usual Inception weights can be had offline):
 * - KID: the unbiased MMD^2 estimate with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3 (Binkowski et al.
 *   2018), averaged over random subsets;
 * - FD: the Frechet distance between Gaussians fitted to each set (as FID, in this space);
 * - precision and recall (Kynkaanniemi et al. 2019): the share of samples inside the real set's k-NN balls, and of
 *   real faces inside the samples';
 * - diversity: the mean pairwise distance within a set;
 * - memorisation: each sample's distance to its nearest training face.
 */
import { Random } from '../core/random.js';

type Vec = readonly number[];

const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * b[i]!, 0);
export const distance = (a: Vec, b: Vec) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

/** Unbiased MMD^2 of one subset pair with the cubic polynomial kernel. */
function mmd2(x: readonly Vec[], y: readonly Vec[]): number {
  const d = x[0]!.length,
    k = (a: Vec, b: Vec) => (dot(a, b) / d + 1) ** 3;
  const m = x.length,
    n = y.length;
  let xx = 0,
    yy = 0,
    xy = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) xx += k(x[i]!, x[j]!);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) yy += k(y[i]!, y[j]!);
  for (const a of x) for (const b of y) xy += k(a, b);
  return xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * xy) / (m * n);
}

/** KID: the mean (and standard deviation) of MMD^2 over `subsets` random subsets of `size` from each set. */
export function kid(x: readonly Vec[], y: readonly Vec[], o: { subsets?: number; size?: number; seed?: number } = {}) {
  const size = Math.min(o.size ?? 100, x.length, y.length),
    subsets = o.subsets ?? 50;
  if (size < 2) throw new Error('KID needs at least 2 samples in each set');
  const rng = new Random(o.seed ?? 0, 0x41d);
  const pick = (s: readonly Vec[]) =>
    rng
      .permutation(s.length)
      .slice(0, size)
      .map((i) => s[i]!);
  const values = Array.from({ length: subsets }, () => mmd2(pick(x), pick(y)));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi): eigenvalues and eigenvectors as columns. */
export function symmetricEigen(a: readonly number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length,
    m = a.map((r) => [...r]);
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  // converged when the off-diagonal part is negligible against the whole (a relative test: pixel Gram matrices
  // have entries of 1e4-1e7, where an absolute one would never be met)
  let total = 0;
  for (const row of m) for (const v of row) total += v * v;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (off <= 1e-24 * total || off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k]![p]!,
            mkq = m[k]![q]!;
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p]![k]!,
            mqk = m[q]![k]!;
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!,
            vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: m.map((r, i) => r[i]!), vectors: v };
}

function meanAndCovariance(x: readonly Vec[]): { mu: number[]; cov: number[][] } {
  const d = x[0]!.length,
    n = x.length;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const r of x) {
    for (let i = 0; i < d; i++) {
      const di = r[i]! - mu[i]!;
      for (let j = i; j < d; j++) cov[i]![j]! += (di * (r[j]! - mu[j]!)) / (n - 1);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i]![j] = cov[j]![i]!;
  return { mu, cov };
}

const matmul = (a: number[][], b: number[][]) =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));

/** The Frechet distance between Gaussians fitted to x and y: |mu_x - mu_y|^2 + Tr(Sx + Sy - 2 (Sx Sy)^(1/2)). */
export function frechetDistance(x: readonly Vec[], y: readonly Vec[]): number {
  const a = meanAndCovariance(x),
    b = meanAndCovariance(y);
  const e = symmetricEigen(a.cov);
  const root = e.vectors.map((_, i) =>
    e.vectors.map((__, j) =>
      e.values.reduce((s, l, k) => s + e.vectors[i]![k]! * Math.sqrt(Math.max(l, 0)) * e.vectors[j]![k]!, 0),
    ),
  );
  const inner = matmul(matmul(root, b.cov), root); // symmetric; its eigenvalues are those of Sx Sy
  const traceSqrt = symmetricEigen(inner).values.reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
  const trace = (m: number[][]) => m.reduce((s, r, i) => s + r[i]!, 0);
  return distance(a.mu, b.mu) ** 2 + trace(a.cov) + trace(b.cov) - 2 * traceSqrt;
}

/** The distance from each point of `from` to its k-th nearest other point of `within` (itself excluded). */
function kthDistances(set: readonly Vec[], k: number): number[] {
  return set.map((a, i) => {
    const d = set
      .filter((_, j) => j !== i)
      .map((b) => distance(a, b))
      .sort((p, q) => p - q);
    return d[Math.min(k, d.length) - 1]!;
  });
}

/** The share of `points` inside some k-NN ball of `manifold` (precision: samples in reals; recall: the reverse). */
function coverage(points: readonly Vec[], manifold: readonly Vec[], k: number): number {
  const radii = kthDistances(manifold, k);
  return points.filter((p) => manifold.some((m, i) => distance(p, m) <= radii[i]!)).length / points.length;
}

export function precisionRecall(samples: readonly Vec[], reals: readonly Vec[], k = 3) {
  return { precision: coverage(samples, reals, k), recall: coverage(reals, samples, k) };
}

/** The mean distance between two different members of a set. */
export function diversity(set: readonly Vec[]): number {
  let s = 0,
    n = 0;
  for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) (s += distance(set[i]!, set[j]!)), n++;
  return n ? s / n : 0;
}

/** Each point's distance to its nearest member of `training`. */
export const nearestDistances = (points: readonly Vec[], training: readonly Vec[]) =>
  points.map((p) => Math.min(...training.map((t) => distance(p, t))));

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
