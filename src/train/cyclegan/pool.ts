/**
 * The image pool of Shrivastava et al. (2017), as CycleGAN uses it: the discriminators see fakes from a buffer
 * of up to `size` past generator outputs, so that they do not chase the generator's latest move. While the pool
 * fills, each fake goes in and out as it is; after that, each fake is swapped for a random stored one with
 * probability 1/2 (the stored one goes to the discriminator, the new one takes its place), else used as it is.
 * Decisions come from a seeded stream per iteration, and the pool is saved with checkpoints: resume is exact.
 */
import type { Random } from '../../core/random.js';

export class ImagePool {
  images: Float32Array[] = [];
  constructor(readonly size: number) {}

  /** The images the discriminator sees for this batch of fakes (planar, `plane` floats each). */
  query(fakes: Float32Array, plane: number, rng: Random): Float32Array {
    if (this.size === 0) return fakes;
    const n = fakes.length / plane,
      out = new Float32Array(fakes.length);
    for (let i = 0; i < n; i++) {
      const fake = fakes.slice(i * plane, (i + 1) * plane);
      if (this.images.length < this.size) {
        this.images.push(fake);
        out.set(fake, i * plane);
      } else if (rng.next() < 0.5) {
        const k = rng.int(this.size);
        out.set(this.images[k]!, i * plane);
        this.images[k] = fake;
      } else {
        out.set(fake, i * plane);
      }
    }
    return out;
  }
}
