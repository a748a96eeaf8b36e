import { performance } from "node:perf_hooks";

export interface Row {
  name: string;
  ms: number;
  perItemUs: number;
  heapMb: number;
  result: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Median of three runs after a warm-up, and the heap the work left allocated. */
export function measure(name: string, items: number, work: () => number): Row {
  work();
  const times: number[] = [];
  let result = 0;
  let heapMb = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
    heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - before) / 1024 / 1024);
  }
  times.sort((a, b) => a - b);
  const ms = times[1]!;
  return { name, ms, perItemUs: (ms * 1000) / items, heapMb, result };
}

export function printRows(title: string, rows: readonly Row[]): void {
  console.log(`\n## ${title}`);
  console.log("| benchmark | time (ms) | per item (µs) | heap growth (MB) |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows)
    console.log(`| ${r.name} | ${r.ms.toFixed(1)} | ${r.perItemUs.toFixed(2)} | ${r.heapMb.toFixed(1)} |`);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
