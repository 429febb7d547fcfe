#!/usr/bin/env node
// The facegan command: the compiled package (dist/) when it is there, else the TypeScript sources through tsx (a
// checkout: no build step needed).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (existsSync(dist)) main = await import(dist.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import('../src/cli/main.ts');
}
await main.runCli(process.argv.slice(2));
