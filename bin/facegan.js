#!/usr/bin/env node
// The facegan command: runs the TypeScript sources through tsx (no separate build step).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
