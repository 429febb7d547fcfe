/**
 * The mean face faceswap aligns to: landmarks 17-67 of the 68-point (dlib/iBUG) layout, in a unit box
 * (x right, y down; the box spans brows to chin, outer brow to outer brow). Widely published numbers.
 */
export const MEAN_FACE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127,
  0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606,
  0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127,
  0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127,
  0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
] as const;

export const MEAN_FACE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352,
  0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852,
  0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405,
  0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792,
  0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
] as const;

export type Point = readonly [number, number];

/** The mean face as points; index i is 68-point landmark 17 + i. */
export const MEAN_FACE: readonly Point[] = MEAN_FACE_X.map((x, i) => [x, MEAN_FACE_Y[i]!] as const);

const centre = (pts: readonly Point[]): Point => [
  pts.reduce((s, p) => s + p[0], 0) / pts.length,
  pts.reduce((s, p) => s + p[1], 0) / pts.length,
];

/** Centres of the eyes in mean-face units: [subject's right eye (image left), subject's left eye]. */
export const MEAN_EYES: readonly [Point, Point] = [
  centre(MEAN_FACE.slice(36 - 17, 42 - 17)),
  centre(MEAN_FACE.slice(42 - 17, 48 - 17)),
];
