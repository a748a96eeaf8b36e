/** A merge's apply pipeline as inline SVG: stacks in columns by dependency depth, dependsOn as arrows. */

import { html, type Safe } from "./html.js";
import type { PipelineNode } from "./pipelines.js";

const FILL: Record<string, [string, string]> = {
  succeeded: ["#dafbe1", "#1a7f37"],
  failed: ["#ffebe9", "#cf222e"],
  timed_out: ["#ffebe9", "#cf222e"],
  planning: ["#fbefff", "#8250df"],
  applying: ["#fbefff", "#8250df"],
  cancelled: ["#f6f8fa", "#59636e"],
  superseded: ["#f6f8fa", "#59636e"],
};
const WAITING_FILL: [string, string] = ["#fff8c5", "#9a6700"];
const W = 200;
const H = 64;
const GAP_X = 70;
const GAP_Y = 24;

export function pipelineSvg(nodes: PipelineNode[]): Safe {
  const byId = new Map(nodes.map((n) => [n.jobId, n]));
  const depth = new Map<string, number>();
  const depthOf = (n: PipelineNode, seen = new Set<string>()): number => {
    const known = depth.get(n.jobId);
    if (known !== undefined) return known;
    if (seen.has(n.jobId)) return 0; // a cycle cannot be drawn in columns; flowgate refuses them at load
    seen.add(n.jobId);
    const parents = n.dependsOn.map((id) => byId.get(id)).filter((p): p is PipelineNode => p !== undefined);
    const d = parents.length ? Math.max(...parents.map((p) => depthOf(p, seen) + 1)) : 0;
    depth.set(n.jobId, d);
    return d;
  };
  const columns: PipelineNode[][] = [];
  for (const n of nodes) {
    const d = depthOf(n);
    columns[d] = [...(columns[d] ?? []), n];
  }
  const at = new Map<string, { x: number; y: number }>();
  columns.forEach((col, c) => {
    col.forEach((n, r) => {
      at.set(n.jobId, { x: 10 + c * (W + GAP_X), y: 10 + r * (H + GAP_Y) });
    });
  });
  const width = 20 + columns.length * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const edges = nodes.flatMap((n) =>
    n.dependsOn.flatMap((dep) => {
      const from = at.get(dep);
      const to = at.get(n.jobId);
      if (!from || !to) return [];
      const x1 = from.x + W;
      const y1 = from.y + H / 2;
      const x2 = to.x - 6;
      const y2 = to.y + H / 2;
      const mid = (x1 + x2) / 2;
      return [
        html`<path class="edge" d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" stroke="#8c959f" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      ];
    }),
  );
  const boxes = nodes.map((n) => {
    const p = at.get(n.jobId) ?? { x: 0, y: 0 };
    const [fill, stroke] = FILL[n.status] ?? WAITING_FILL;
    const plan = n.plan ? `+${n.plan.add} ~${n.plan.change} -${n.plan.destroy}` : "";
    return html`<g class="node" data-stack="${n.stack}" data-status="${n.status}">
<title>${n.stack}: ${n.reason}</title>
<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>
<text x="${p.x + 12}" y="${p.y + 22}" font-size="14" font-weight="600" fill="#1f2328">${clip(n.stack, 24)}</text>
<text x="${p.x + 12}" y="${p.y + 42}" font-size="12" fill="${stroke}">${n.status.replace(/_/g, " ")}</text>
<text x="${p.x + 12}" y="${p.y + 57}" font-size="11" fill="#59636e">${n.environment}${plan ? `  ${plan}` : ""}</text>
</g>`;
  });
  return html`<svg class="pipeline" role="img" aria-label="apply pipeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8c959f"/></marker></defs>
${edges}${boxes}</svg>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
