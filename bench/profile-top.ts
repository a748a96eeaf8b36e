/**
 * `node dist/bench/profile-top.js <file.cpuprofile> [count]`: where a `node --cpu-prof` profile's
 * CPU went — the functions with the most self time, and the same summed per package (or per folder
 * of flowgate's own code), once as is and once with native and node-internal time charged to the
 * package that called in (a socket write to whoever wrote). Idle time is left out.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package>/… or dist/<folder>/… or node:<module>: the part of a URL that says whose code it is. */
function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("node_modules/");
  if (inModules >= 0) return path.slice(inModules + "node_modules/".length);
  const inDist = path.indexOf("/dist/");
  if (inDist >= 0) return path.slice(inDist + "/dist/".length);
  return path;
}

function owner(file: string): string {
  if (file === "") return "(v8: gc, program, natives)";
  if (file.startsWith("node:")) return "node internals";
  const parts = file.split("/");
  if (file.startsWith("src/")) return parts.slice(0, 2).join("/");
  return file.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function top(totals: Map<string, number>, count: number, all: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `| ${name} | ${(us / 1000).toFixed(0)} | ${((us / all) * 100).toFixed(1)}% |`);
}

function main(): void {
  const [file, countArg] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-top <file.cpuprofile> [count]");
  const count = Number(countArg ?? 15);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n);
  /** the nearest frame up the stack that is in a package or in flowgate */
  const caller = (node: ProfileNode): string => {
    for (let n: ProfileNode | undefined = node; n; n = parents.get(n.id)) {
      const file = shortFile(n.callFrame.url);
      if (file !== "" && !file.startsWith("node:")) return owner(file);
    }
    return owner(shortFile(node.callFrame.url));
  };
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id)!;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") return;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const shortName = shortFile(frame.url);
    const name = `${shortName || "(v8)"}:${frame.functionName || "(anonymous)"}${shortName ? `:${frame.lineNumber + 1}` : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOwner.set(owner(shortName), (byOwner.get(owner(shortName)) ?? 0) + us);
    byCaller.set(caller(node), (byCaller.get(caller(node)) ?? 0) + us);
    all += us;
  });
  console.log(`${file}: ${(all / 1000).toFixed(0)} ms of CPU sampled (idle left out)\n`);
  console.log("| function (file:function:line) | self ms | share |\n|---|---:|---:|");
  console.log(top(byFunction, count, all).join("\n"));
  console.log("\n| package or folder | self ms | share |\n|---|---:|---:|");
  console.log(top(byOwner, count, all).join("\n"));
  console.log("\n| package or folder, natives charged to it | self ms | share |\n|---|---:|---:|");
  console.log(top(byCaller, count, all).join("\n"));
}

main();
