/**
 * Seamless cloning (Pérez et al.'s Poisson image editing): inside the mask the result keeps the face's gradients,
 * on the mask's edge it takes the target's values. Written as face + d, where d is the membrane (harmonic) that
 * equals target - face outside the mask; d is solved coarse to fine (a pyramid of over-relaxed Gauss-Seidel
 * sweeps), which converges in a few dozen sweeps per level instead of thousands on the full grid.
 */
import type { Planar } from './colour-match.js';

const SWEEPS = 40;
const OMEGA = 1.8;

/** Relaxes the unknowns of d (3 planes of w x h) towards Laplace's equation; `known` holds the fixed pixels. */
function relax(d: Float32Array, known: Uint8Array, w: number, h: number, sweeps: number): void {
  const plane = w * h;
  for (let s = 0; s < sweeps; s++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (known[p]) continue;
        const l = x > 0 ? p - 1 : p + 1,
          r = x < w - 1 ? p + 1 : p - 1,
          u = y > 0 ? p - w : p + w,
          dn = y < h - 1 ? p + w : p - w;
        for (let c = 0; c < 3; c++) {
          const o = c * plane;
          const avg = (d[o + l]! + d[o + r]! + d[o + u]! + d[o + dn]!) / 4;
          d[o + p] = d[o + p]! + OMEGA * (avg - d[o + p]!);
        }
      }
    }
  }
}

/** Solves the membrane on a pyramid: the half-size problem first, its answer as the starting point here. */
function solve(d: Float32Array, known: Uint8Array, w: number, h: number): void {
  if (w > 16 && h > 16) {
    const cw = Math.ceil(w / 2),
      ch = Math.ceil(h / 2),
      cplane = cw * ch,
      plane = w * h;
    const cd = new Float32Array(3 * cplane),
      ck = new Uint8Array(cplane),
      count = new Float32Array(cplane);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x,
          q = (y >> 1) * cw + (x >> 1);
        if (!known[p]) continue;
        ck[q] = 1;
        count[q]!++;
        for (let c = 0; c < 3; c++) cd[c * cplane + q]! += d[c * plane + p]!;
      }
    }
    for (let q = 0; q < cplane; q++) if (count[q]) for (let c = 0; c < 3; c++) cd[c * cplane + q]! /= count[q]!;
    solve(cd, ck, cw, ch);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (!known[p]) for (let c = 0; c < 3; c++) d[c * plane + p] = cd[c * cplane + (y >> 1) * cw + (x >> 1)]!;
      }
    }
  }
  relax(d, known, w, h, SWEEPS);
}

/**
 * The face blended into the target through the mask's region (mask > 0.5), both planar RGB w x h in 0-1.
 * Outside the region the target is returned unchanged.
 */
export function seamlessClone(face: Planar, target: Planar, mask: Float32Array, w: number, h: number): Planar {
  const plane = w * h;
  const known = new Uint8Array(plane),
    d = new Float32Array(3 * plane);
  let inside = 0;
  for (let p = 0; p < plane; p++) {
    if (mask[p]! > 0.5) {
      inside++;
      continue;
    }
    known[p] = 1;
    for (let c = 0; c < 3; c++) d[c * plane + p] = target[c * plane + p]! - face[c * plane + p]!;
  }
  if (inside === 0) return new Float32Array(target);
  // a region touching the crop's edge has no boundary there: those edge pixels keep the face (d = 0 start, free)
  solve(d, known, w, h);
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < out.length; i++)
    out[i] = known[i % plane] ? target[i]! : Math.min(1, Math.max(0, face[i]! + d[i]!));
  return out;
}
