/** facegan's image type: 8-bit RGB, row-major, 3 bytes a pixel. Pure: reading and writing live in src/media. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, rows top to bottom. */
  data: Uint8Array;
}
