/** Polygons for masks: the convex hull of landmarks, and rasterising a polygon onto a pixel grid. */
import type { Point } from './meanface.js';

/** Convex hull, counter-clockwise in image coordinates (Andrew's monotone chain). */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [],
    upper: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * Fills a polygon (any simple polygon, even-odd rule) into a width x height mask of 0/1, testing pixel centres.
 * Adds into `out` (max) when given, so several polygons can share one mask.
 */
export function rasterizePolygon(
  polygon: readonly Point[],
  width: number,
  height: number,
  out = new Float32Array(width * height),
  value = 1,
): Float32Array {
  const n = polygon.length;
  if (n < 3) return out;
  const ys = polygon.map((p) => p[1]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys))),
    y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = polygon[i]!,
        [xj, yj] = polygon[j]!;
      if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) / (yj - yi)) * (xj - xi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5)),
        to = Math.min(width - 1, Math.floor(xs[k + 1]! - 0.5));
      for (let x = from; x <= to; x++) {
        const idx = y * width + x;
        if (out[idx]! < value) out[idx] = value;
      }
    }
  }
  return out;
}

/** Scales a polygon about its centroid (to grow or shrink a landmark region). */
export function scalePolygon(polygon: readonly Point[], factor: number): Point[] {
  const cx = polygon.reduce((s, p) => s + p[0], 0) / polygon.length,
    cy = polygon.reduce((s, p) => s + p[1], 0) / polygon.length;
  return polygon.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as const);
}
