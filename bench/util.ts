/** Small helpers shared by the benchmarks: flags, medians, peak memory. */
export interface BenchArgs {
  int(name: string, fallback: number): number;
  str(name: string, fallback: string): string;
  flag(name: string): boolean;
}

export function benchArgs(argv: string[]): BenchArgs {
  // --name value, --name=value, or a bare --flag (followed by nothing or another --option).
  const values: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) continue;
    if (m[2] !== undefined) values[m[1]!] = m[2];
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) values[m[1]!] = argv[++i]!;
    else values[m[1]!] = true;
  }
  const get = (n: string) => values[n];
  return {
    int: (n, f) => {
      const v = get(n);
      if (v === undefined) return f;
      const x = Number(v);
      if (!Number.isInteger(x) || x < 0) throw new Error(`Expected a non-negative integer for --${n} but received ${String(v)}`);
      return x;
    },
    str: (n, f) => (typeof get(n) === 'string' ? (get(n) as string) : f),
    flag: (n) => get(n) === true,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Peak resident memory of this process so far, in MB (as the reference's ru_maxrss / 1024). */
export function peakRssMb(): number {
  return +(process.resourceUsage().maxRSS / 1024).toFixed(1);
}
