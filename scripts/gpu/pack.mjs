#!/usr/bin/env node
// Packs what a GPU machine without Node needs to build and run facegan's engine there, into dev-carry/ (ignored):
// this machine's node binary (xz), Node-API's headers, and the npm packages that the engine, the benches and
// `facegan train` load (tsx, sharp, zod, node-addon-api and what they depend on) as one .tar.xz, and the PyTorch
// references of ../shared/bench. The face
// detectors (tfjs) stay behind: extract and convert are not run there. scripts/gpu/check.sh uses it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'dev-carry');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'include'), { recursive: true });

const wanted = ['tsx', 'sharp', 'zod', 'node-addon-api'];
const packages = new Set();
const visit = (name) => {
  if (packages.has(name)) return;
  const manifest = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return; // an optional dependency for another platform
  packages.add(name);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
};
wanted.forEach(visit);
const paths = [...packages].map((p) => `node_modules/${p}`);
execFileSync('tar', ['-cJf', join(out, 'deps.tar.xz'), ...paths], { cwd: root });
execFileSync('sh', ['-c', `xz -T0 -c ${process.execPath} > ${join(out, 'node.xz')}`]);
const headers = process.env.NODE_HEADERS ?? '/usr/include/node';
for (const h of ['node_api.h', 'node_api_types.h', 'js_native_api.h', 'js_native_api_types.h']) {
  copyFileSync(join(headers, h), join(out, 'include', h));
}
// the PyTorch references, for the benches' side-by-side runs (FACEGAN_SHARED=dev-carry there)
const shared = process.env.FACEGAN_SHARED ?? join(root, '../shared');
mkdirSync(join(out, 'bench'));
for (const r of ['reference_original.py', 'reference_cyclegan.py', 'reference_stylegan2.py']) {
  copyFileSync(join(shared, 'bench', r), join(out, 'bench', r));
}
console.log(
  `dev-carry/: node ${process.version}, Node-API headers, ${packages.size} packages (${[...packages].join(' ')})`,
);
