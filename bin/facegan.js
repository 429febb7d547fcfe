#!/usr/bin/env node
// The facegan command: the TypeScript sources through tsx in a checkout (no build step), the compiled JavaScript
// (dist/) in an installed package, which holds no sources.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import(sources.href);
} else main = await import(new URL('../dist/cli/main.js', import.meta.url).href);
await main.runCli(process.argv.slice(2));
