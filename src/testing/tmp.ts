/** One temporary folder per test process, removed when the process exits (light: no face models are imported). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | undefined;

export function testTmp(): string {
  if (!root) {
    const dir = mkdtempSync(join(tmpdir(), 'facegan-test-'));
    root = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return root;
}
