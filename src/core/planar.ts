/** Batches of planar images ([N, C, H, W] float data) as one buffer, and back. Pure. */

/** The images laid end to end, as one batch's buffer. */
export function concatPlanes(images: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(images.reduce((n, img) => n + img.length, 0));
  let at = 0;
  for (const img of images) {
    out.set(img, at);
    at += img.length;
  }
  return out;
}

/** A batch's buffer cut into `count` images of equal size (copies, so that the buffer may go). */
export function splitPlanes(data: Float32Array, count: number): Float32Array[] {
  const each = data.length / count;
  return Array.from({ length: count }, (_, i) => data.slice(i * each, (i + 1) * each));
}
