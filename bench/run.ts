/**
 * `npm run bench`: performance targets as numbers, not timed tests (they would flake).
 * Goals: resolution of 10,000 stacks × 1,000 policies and matching of 100,000 files × 2,000 stacks
 * each under 1 s on a 2-core machine, growing linearly.
 */
import { matchingBench, resolutionBench } from "./engine.js";
import { printRows } from "./measure.js";

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`flowgate bench — node ${process.version}, ${new Date().toISOString()}`);
  if (!only || only === "side") {
    const { sideBySide } = await import("./side-by-side.js");
    await sideBySide();
  }
  if (!only || only === "engine") {
    printRows("Resolution (goal: 10,000 × 1,000 under 1 s, linear)", [
      resolutionBench(2_500, 1_000),
      resolutionBench(5_000, 1_000),
      resolutionBench(10_000, 1_000),
      resolutionBench(10_000, 2_000),
    ]);
    printRows("Matching changed files to stacks (goal: 100,000 × 2,000 under 1 s, linear)", [
      matchingBench(25_000, 2_000),
      matchingBench(50_000, 2_000),
      matchingBench(100_000, 2_000),
      matchingBench(100_000, 4_000),
    ]);
  }
  if (!only || only === "app") {
    const { appBench } = await import("./app.js");
    await appBench();
  }
  if (!only || only === "reconcile") {
    const { reconcileBench } = await import("./reconcile.js");
    await reconcileBench();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
