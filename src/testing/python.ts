import { existsSync } from 'node:fs';

/**
 * The Python that holds PyTorch, for the references and the cross-checks: FACEGAN_PYTHON when set (a GPU machine's
 * CUDA PyTorch, say), else Debian's /usr/bin/python3 with python3-torch, else python3 on PATH.
 */
export const pythonWithTorch = (): string =>
  process.env.FACEGAN_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
