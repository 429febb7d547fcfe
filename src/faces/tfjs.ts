/**
 * The only module that loads TensorFlow.js (for the face models; facegan's own engine is libtorch). It uses the
 * wasm backend from the npm package, serves `file://` model URLs from disk (tfjs fetches weights), and never
 * touches the network.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { ErrorCodes, FaceganError } from '../core/errors.js';

const require = createRequire(import.meta.url);

/** Folder of a package's file, found through node's resolution (works wherever node_modules is). */
export function packageDir(name: string): string {
  // Not require.resolve(`${name}/package.json`): some packages' exports maps do not list it.
  const dir = (require.resolve.paths(name) ?? [])
    .map((p) => join(p, name))
    .find((d) => existsSync(join(d, 'package.json')));
  if (!dir)
    throw new FaceganError(
      ErrorCodes.NO_ENGINE,
      `The package ${name} is not installed; run npm ci in the facegan folder.`,
    );
  return dir;
}

export const wasmDir = (): string => `${join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')}/`;

/** How many loads are under way in this thread (the fetch of file:// URLs is in place while any is). */
let loading = 0;
let original: typeof fetch | undefined;

/** tfjs's fetch while a face model loads: file:// URLs read from disk, the network refused. */
const fileFetch = (async (url: string | URL | Request, init?: RequestInit) => {
  const u = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
  if (u.startsWith('file://')) {
    const body = await readFile(new URL(u));
    return new Response(body, {
      status: 200,
      headers: { 'content-type': u.endsWith('.json') ? 'application/json' : 'application/octet-stream' },
    });
  }
  if (/^https?:/.test(u))
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `facegan does not download at run time, but a face model asked for ${u}`,
    );
  return original!(url, init);
}) as typeof fetch;

/**
 * Runs `load` (a face model's loading) with a `fetch` that reads tfjs's file:// model URLs from disk and refuses the
 * network, then puts the thread's own fetch back: a Node program that imports facegan keeps its fetch (the face
 * models load in extract's detector thread by default, and take about a second anywhere else).
 */
export async function withFileFetch<T>(load: () => Promise<T>): Promise<T> {
  if (loading++ === 0) {
    original = globalThis.fetch;
    globalThis.fetch = fileFetch;
  }
  try {
    return await load();
  } finally {
    if (--loading === 0 && globalThis.fetch === fileFetch) globalThis.fetch = original!;
  }
}

/** Loads a package's dist build by file path (Human's exports map hides its node-wasm build). */
export function requireDist<T>(pkg: string, file: string): T {
  return require(join(packageDir(pkg), 'dist', file)) as T;
}
