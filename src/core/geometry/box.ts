/** Boxes as [x, y, width, height] in pixels. */
export type Box = readonly [number, number, number, number];

/** The area two boxes share. */
function intersection(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]),
    y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]),
    y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  return Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
}

/** Intersection over union of two boxes (0: apart, 1: the same). */
export function boxIou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  return inter / (a[2] * a[3] + b[2] * b[3] - inter || 1);
}

/** Intersection over the smaller box's area (1: one box lies inside the other). */
export function boxOverlapOfSmaller(a: Box, b: Box): number {
  return intersection(a, b) / (Math.min(a[2] * a[3], b[2] * b[3]) || 1);
}

/** The box around points (a face's landmarks: tight, as face-api's SSD boxes are, while Human's boxes are loose). */
export function boxOfPoints(points: readonly (readonly [number, number])[]): Box {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return points.length ? [x0, y0, x1 - x0, y1 - y0] : [0, 0, 0, 0];
}
