/**
 * CPU time per process, split by block: what a process used during its own app's blocks (the
 * work), and what it used while the other app's blocks ran (its idle cost: timers, queue polling).
 */
import { processUsage } from "./side-processes.js";

export interface Metered {
  name: string;
  pid: number;
  /** the app whose blocks are this process's work (redis-server works for flowgate) */
  app: string;
}

export interface Reading {
  at: number;
  cpuMs: Map<string, number>;
}

export class BlockMeter {
  /** CPU ms used during the own app's blocks */
  readonly workCpuMs = new Map<string, number>();
  private readonly idleCpuMs = new Map<string, number>();
  private readonly idleMs = new Map<string, number>();

  constructor(private readonly processes: readonly Metered[]) {}

  read(): Reading {
    return {
      at: performance.now(),
      cpuMs: new Map(this.processes.map((p) => [p.name, processUsage(p.pid).cpuMs])),
    };
  }

  /** Books the CPU used between two readings taken around one block of `app`. */
  book(app: string, before: Reading, after: Reading): void {
    for (const p of this.processes) {
      const used = after.cpuMs.get(p.name)! - before.cpuMs.get(p.name)!;
      const add = (map: Map<string, number>, value: number) =>
        map.set(p.name, (map.get(p.name) ?? 0) + value);
      if (p.app === app) add(this.workCpuMs, used);
      else {
        add(this.idleCpuMs, used);
        add(this.idleMs, after.at - before.at);
      }
    }
  }

  /** Share of one core used while the other app's blocks ran, in percent. */
  idlePercent(name: string): number {
    const ms = this.idleMs.get(name) ?? 0;
    return ms > 0 ? ((this.idleCpuMs.get(name) ?? 0) / ms) * 100 : 0;
  }
}
