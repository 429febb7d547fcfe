import { detectFacesFaceApi } from './faces/identity.js';
import { readImage } from './media/image.js';
const img = await readImage('../shared/data/group/obama_biden_official_composite.jpg');
let t = performance.now();
console.log(await detectFacesFaceApi(img), performance.now() - t);
t = performance.now();
const g = await readImage('../shared/data/faces/grid_s1/' + (await import('node:fs')).readdirSync('../shared/data/faces/grid_s1')[0]);
console.log(g.width, g.height, await detectFacesFaceApi(g), performance.now() - t);
t = performance.now(); await detectFacesFaceApi(g); console.log(performance.now() - t);
