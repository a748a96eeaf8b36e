/** Stack checks across files (SPEC §2.1): one stack per name, known `dependsOn`, no dependency cycles. */
import { describeLocation, diagnosticAt } from "../config/diagnostics.js";
import { didYouMean } from "../config/suggest.js";
import type { Diagnostic, NodePath, Stack } from "../config/types.js";

/** Where a stack's name is written: its metadata, or the template of the generator that made it. */
export function stackNamePath(stack: Stack): NodePath {
  return stack.generatedFrom === undefined ? ["metadata", "name"] : ["spec", "generate", "name"];
}

function describeStack(stack: Stack): string {
  const generated = stack.generatedFrom === undefined ? "" : ` (generated for ${stack.dir})`;
  return `${describeLocation(stack.origin, stackNamePath(stack))}${generated}`;
}

export function checkDuplicateStacks(stacks: readonly Stack[]): Diagnostic[] {
  const first = new Map<string, Stack>();
  const found: Diagnostic[] = [];
  for (const stack of stacks) {
    const earlier = first.get(stack.name);
    if (!earlier) {
      first.set(stack.name, stack);
      continue;
    }
    const here = stack.generatedFrom === undefined ? "" : ` generated for ${stack.dir}`;
    const message = `duplicate stack name "${stack.name}"${here}: also defined at ${describeStack(earlier)}`;
    found.push(diagnosticAt(stack.origin, stackNamePath(stack), "error", message));
  }
  return found;
}

export function checkDependsOn(stacks: readonly Stack[]): Diagnostic[] {
  const names = new Set(stacks.map((s) => s.name));
  const found: Diagnostic[] = [];
  for (const stack of stacks) {
    stack.dependsOn.forEach((dependency, i) => {
      if (names.has(dependency)) return;
      const message = `unknown stack "${dependency}" in dependsOn${didYouMean(dependency, names)}`;
      found.push(diagnosticAt(stack.origin, ["spec", "dependsOn", i], "error", message));
    });
  }
  return found;
}

/** Strongly connected components (Tarjan's algorithm, without recursion: thousands of stacks are fine). */
function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** A shortest cycle through `start` inside its component: `[start, ..., start]`. */
function cycleThrough(
  start: string,
  members: ReadonlySet<string>,
  graph: ReadonlyMap<string, readonly string[]>,
): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        for (let at = node; at !== start; ) {
          at = parent.get(at)!;
          path.push(at);
        }
        return [...path.reverse(), start];
      }
      if (parent.has(to)) continue;
      parent.set(to, node);
      queue.push(to);
    }
  }
  return [start, start];
}

export function checkCycles(stacks: readonly Stack[]): Diagnostic[] {
  const byName = new Map<string, Stack>();
  for (const stack of stacks) if (!byName.has(stack.name)) byName.set(stack.name, stack);
  const graph = new Map<string, readonly string[]>();
  for (const [name, stack] of byName) graph.set(name, stack.dependsOn);
  const found: Diagnostic[] = [];
  for (const component of stronglyConnected(graph)) {
    const start = [...component].sort()[0]!;
    const selfLoop = component.length === 1 && (graph.get(start) ?? []).includes(start);
    if (component.length === 1 && !selfLoop) continue;
    const cycle = cycleThrough(start, new Set(component), graph);
    const stack = byName.get(start)!;
    const at = Math.max(0, stack.dependsOn.indexOf(cycle[1] ?? start));
    const message = `dependency cycle: ${cycle.join(" → ")}`;
    found.push(diagnosticAt(stack.origin, ["spec", "dependsOn", at], "error", message));
  }
  return found;
}
