/** facegan info: what this installation can do (engine, threads, devices, bf16). */
import { readFileSync } from 'node:fs';
import { defineCommand } from './command.js';
import { engineInfo } from '../index.js';

function cpuHasBf16(): boolean {
  try {
    return /\bavx512_bf16\b|\bamx_bf16\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export const info = defineCommand({
  summary: 'show the engine, threads, devices and CPU features facegan will use',
  options: { json: { type: 'boolean', help: 'print one JSON object' } },
  run({ json }) {
    const facts = { ...engineInfo(), cpuBf16: cpuHasBf16() };
    if (json) console.log(JSON.stringify(facts));
    else {
      console.log(`facegan ${facts.version}
  node        ${facts.node}
  libtorch    ${facts.libtorch}
  threads     ${facts.threads}
  cuda        ${facts.cuda ? `yes (${facts.cudaDevices} device${facts.cudaDevices === 1 ? '' : 's'})` : 'no'}
  cpu bf16    ${facts.cpuBf16 ? 'yes (bf16 autocast speeds up training)' : 'no'}`);
    }
  },
});
