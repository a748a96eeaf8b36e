/** The console's pages: server-rendered, every value escaped by `html`. */
import type { PolicyUsage } from "../cli/usage-report.js";
import type { AuditEntry } from "../observability/audit.js";
import type { AuditFilters } from "./audit.js";
import type { Filters, GateRow, WaitingItem } from "./data.js";
import { pipelineSvg } from "./graph.js";
import { html, type Safe, utc, waited } from "./html.js";
import type { PipelineNode } from "./pipelines.js";
import type { PullView } from "./pulls.js";

export interface PageContext {
  login: string;
  csrf: string;
  active: "waiting" | "pipelines" | "gates" | "audit" | "usage";
  notice?: { ok: boolean; text: string };
}

const NAV: [PageContext["active"], string, string][] = [
  ["waiting", "Waiting on people", "/console"],
  ["pipelines", "Pipelines", "/console/pipelines"],
  ["gates", "Gates", "/console/gates"],
  ["audit", "Audit", "/console/audit"],
  ["usage", "Usage", "/console/usage"],
];

export function page(title: string, body: Safe, ctx?: PageContext): string {
  const nav = ctx
    ? html`<nav>${NAV.map(([key, label, href]) => html`<a href="${href}" class="${ctx.active === key ? "on" : ""}">${label}</a>`)}</nav>
<div class="me"><span>@${ctx.login}</span><form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Sign out</button></form></div>`
    : html``;
  const notice = ctx?.notice
    ? html`<div class="notice ${ctx.notice.ok ? "ok" : "bad"}" role="status">${ctx.notice.text}</div>`
    : html``;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · flowgate</title><link rel="stylesheet" href="/console/assets/app.css"></head>
<body><header><div class="brand">flow<span>gate</span></div>${nav}</header>
<main data-live>${notice}${body}</main><script src="/console/assets/app.js"></script></body></html>`.value;
}

export function notConfigured(): string {
  return page(
    "Console not configured",
    html`<div class="signin card"><h1>The console needs the app's client id</h1>
<p>Sign-in uses the GitHub App's own user authorization. Set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code>
(Probot's setup writes both to <code>.env</code>; they are on the app's settings page on GitHub under “Client secrets”),
add <code>FLOWGATE_PUBLIC_URL/console/callback</code> as the app's callback URL, and restart flowgate.</p></div>`,
  );
}

export function signIn(reason?: string): string {
  return page(
    "Sign in",
    html`<div class="signin card"><h1>flowgate console</h1>
<p class="lead">Everything waiting, running and held across your repositories. You see the repositories GitHub lets you read, nothing else.</p>
${reason ? html`<p class="notice bad">${reason}</p>` : html``}
<a class="btn" href="/console/login">Sign in with GitHub</a></div>`,
  );
}

function pill(status: string): Safe {
  return html`<span class="pill s-${status}">${status.replace(/_/g, " ")}</span>`;
}

function select(name: string, label: string, values: string[], chosen?: string): Safe {
  return html`<label>${label}<select name="${name}"><option value="">all</option>${values.map(
    (v) => html`<option value="${v}"${v === chosen ? html` selected` : html``}>${v}</option>`,
  )}</select></label>`;
}

export function waitingBody(items: WaitingItem[], all: WaitingItem[], filters: Filters, csrf: string): Safe {
  const uniq = (f: (i: WaitingItem) => string) => [...new Set(all.map(f))].sort();
  const rows = items.map(
    (
      i,
    ) => html`<tr data-job="${i.jobId}"><td><strong>${i.stack}</strong><div class="small muted">${i.repo}${i.environment ? ` · ${i.environment}` : ""}</div></td>
<td>${pill(i.status)}<div class="small">${i.why}</div><div class="small muted">${i.reason}</div></td>
<td title="${i.since}">${waited(i.waitedSeconds)}<div class="small muted">since ${utc(i.since)}</div></td>
<td class="small">${i.whoMayUnblock}</td>
<td>${i.prUrl ? html`<a href="/console/pulls?repo=${encodeURIComponent(i.repo)}&amp;number=${i.prNumber}">#${i.prNumber}</a>` : html`<span class="muted">push</span>`}
${i.kind === "job" ? html`<div class="small"><a href="/console/pipelines?repo=${encodeURIComponent(i.repo)}&amp;sha=${i.sha}">pipeline</a></div>` : html``}</td>
<td>${actionsFor(i, csrf)}</td></tr>`,
  );
  return html`<h1>Waiting on people</h1><p class="lead">${items.length} ${items.length === 1 ? "item" : "items"} held for an approval, a gate, a manual start or a pending batch, longest wait first.</p>
<div class="card"><form class="filters" method="get" action="/console">${select(
    "repo",
    "Repository",
    uniq((i) => i.repo),
    filters.repo,
  )}
${select(
  "env",
  "Environment",
  uniq((i) => i.environment),
  filters.env,
)}${select(
  "stack",
  "Stack",
  uniq((i) => i.stack),
  filters.stack,
)}
<button class="act" type="submit">Filter</button></form>${startAll(items, filters, csrf)}</div>
<div class="card">${
    items.length
      ? html`<table><thead><tr><th>Stack</th><th>Held because</th><th>Waiting</th><th>Who may unblock</th><th>PR</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<div class="empty">Nothing is waiting on people in your repositories.</div>`
  }</div>`;
}

/** `flowgate apply --env ENV --all-pending` as a button, once an environment is chosen. */
function startAll(items: WaitingItem[], filters: Filters, csrf: string): Safe {
  const pending = items.filter((i) => i.status === "pending").length;
  if (!filters.env || pending === 0) return html``;
  return html`<form class="filters" method="post" action="/console/apply-pending"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="env" value="${filters.env}">${filters.repo ? html`<input type="hidden" name="repo" value="${filters.repo}">` : html``}
<button class="act primary" type="submit">Start all ${pending} pending in ${filters.env}</button></form>`;
}

function actionsFor(i: WaitingItem, csrf: string): Safe {
  const action =
    i.status === "awaiting_approval"
      ? "approve"
      : i.status === "pending" || i.status === "awaiting_start"
        ? "apply"
        : "";
  if (!action || !i.prNumber || i.kind !== "job") return html``;
  return html`<form class="inline" method="post" action="/console/jobs/${action}"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="job" value="${i.jobId}"><button class="act primary" type="submit">${action === "approve" ? "Approve" : "Start"}</button></form>`;
}

export function gatesBody(rows: GateRow[], csrf: string): Safe {
  const body = rows.map(
    (
      g,
    ) => html`<tr data-gate="${g.gate}" data-repo="${g.repo}"><td><strong>${g.gate}</strong><div class="small muted">${g.repo}</div></td>
<td>${pill(g.open ? "open" : "closed")}<div class="small muted">${g.source}</div></td>
<td class="small">${g.reason}</td>
<td class="small">${g.nextChangeAt ? utc(g.nextChangeAt) : html`<span class="muted">none scheduled</span>`}</td>
<td class="small">${g.openers}</td>
<td><form class="inline" method="post" action="/console/gates"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="repo" value="${g.repo}"><input type="hidden" name="gate" value="${g.gate}">
<input class="duration" name="duration" placeholder="for (e.g. 2h)" aria-label="for how long" size="10">
<button class="act ${g.open ? "danger" : "primary"}" type="submit" name="action" value="${g.open ? "close" : "open"}">${g.open ? "Close" : "Open"}</button></form></td></tr>`,
  );
  return html`<h1>Gates</h1><p class="lead">Every repository and organization gate in your repositories: its state, who set it, and when it changes next.</p>
<div class="card">${
    rows.length
      ? html`<table><thead><tr><th>Gate</th><th>State</th><th>Why</th><th>Next change</th><th>Openers</th><th></th></tr></thead><tbody>${body}</tbody></table>`
      : html`<div class="empty">None of your repositories defines a gate.</div>`
  }</div>`;
}

export function pipelinesBody(list: { repo: string; sha: string; at: string; jobs: number }[]): Safe {
  return html`<h1>Pipelines</h1><p class="lead">Merge commits with apply jobs still in progress.</p><div class="card">${
    list.length
      ? html`<table><thead><tr><th>Repository</th><th>Commit</th><th>Started</th><th>Stacks</th></tr></thead><tbody>${list.map(
          (p) =>
            html`<tr><td>${p.repo}</td><td><a href="/console/pipelines?repo=${encodeURIComponent(p.repo)}&amp;sha=${p.sha}"><code>${p.sha.slice(0, 12)}</code></a></td><td>${utc(p.at)}</td><td>${p.jobs}</td></tr>`,
        )}</tbody></table>`
      : html`<div class="empty">No apply pipeline is in progress in your repositories.</div>`
  }</div>`;
}

const ENDED = new Set(["succeeded", "failed", "cancelled", "superseded", "timed_out"]);

/** Retry for a failed or timed-out job, cancel for one still going: the `/retry` and `/cancel` commands. */
function jobButtons(n: PipelineNode, csrf: string): Safe {
  const action =
    n.status === "failed" || n.status === "timed_out" ? "retry" : ENDED.has(n.status) ? "" : "cancel";
  if (!action) return html``;
  return html`<form class="inline" method="post" action="/console/jobs/${action}"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="job" value="${n.jobId}"><button class="act ${action === "cancel" ? "danger" : ""}" type="submit">${action === "retry" ? "Retry" : "Cancel"}</button></form>`;
}

export function pipelineBody(repo: string, sha: string, nodes: PipelineNode[], csrf: string): Safe {
  const rows = nodes.map(
    (
      n,
    ) => html`<tr><td><strong>${n.stack}</strong><div class="small muted">${n.environment}</div></td><td>${pill(n.status)}<div class="small muted">${n.reason}</div></td>
<td class="small">${n.dependsOn.length ? n.dependsOn.map((d) => nodes.find((x) => x.jobId === d)?.stack ?? d).join(", ") : html`<span class="muted">none</span>`}</td>
<td class="small">${n.runs.map((r) => html`<div>${r.operation}: ${r.conclusion ?? r.status}${r.url ? html` · <a href="${r.url}">run</a>` : html``}</div>`)}</td>
<td class="small">${n.plan ? `+${n.plan.add} ~${n.plan.change} -${n.plan.destroy}` : ""}</td><td class="small">${utc(n.createdAt)}<div class="muted">${utc(n.updatedAt)}</div></td><td>${jobButtons(n, csrf)}</td></tr>`,
  );
  return html`<h1>Pipeline <code>${sha.slice(0, 12)}</code></h1><p class="lead">${repo}: the apply jobs of this merge commit, in dependency order.</p>
<div class="card graph">${nodes.length ? pipelineSvg(nodes) : html`<div class="empty">No apply jobs for this commit.</div>`}</div>
<div class="card"><table><thead><tr><th>Stack</th><th>State</th><th>Depends on</th><th>Runs</th><th>Plan</th><th>Created / updated</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function auditBody(entries: AuditEntry[], f: AuditFilters): Safe {
  const q = new URLSearchParams(
    Object.entries(f)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]): [string, string] => [k, String(v)]),
  );
  const input = (name: keyof AuditFilters, label: string) =>
    html`<label>${label}<input name="${name}" value="${f[name] === undefined ? "" : String(f[name])}"></label>`;
  return html`<h1>Audit</h1><p class="lead">Every decision flowgate made in your repositories, newest first. <a href="/console/audit.jsonl?${q.toString()}">Download as JSON lines</a></p>
<div class="card"><form class="filters" method="get" action="/console/audit">${input("repo", "Repository")}${input("stack", "Stack")}${input("actor", "Person")}${input("type", "Decision")}${input("sinceHours", "Last hours")}
<button class="act" type="submit">Filter</button></form></div>
<div class="card">${
    entries.length
      ? html`<table><thead><tr><th>When</th><th>Decision</th><th>Where</th><th>Who</th><th>Why</th></tr></thead><tbody>${entries
          .slice(0, 500)
          .map(
            (
              e,
            ) => html`<tr><td class="small">${utc(e.at)}</td><td><code>${e.type}</code><div class="small">${e.decision ?? ""}</div></td>
<td class="small">${e.repo ?? ""}${e.pr ? ` #${e.pr}` : ""}${e.stack ? html`<div class="muted">${e.stack}</div>` : html``}</td><td class="small">${e.actor ? `@${e.actor}` : ""}</td><td class="small">${e.reason ?? ""}</td></tr>`,
          )}</tbody></table>`
      : html`<div class="empty">No decisions match.</div>`
  }</div>`;
}

export function html403(): Safe {
  return html`<div class="notice bad">Refused: this form did not come from a flowgate page of your session (cross-site request forgery protection). Reload the page and try again.</div>`;
}

export function notFound(): Safe {
  return html`<h1>Not found</h1><p class="lead">There is nothing here, or it is in a repository you cannot read on GitHub.</p>`;
}

export type { Safe } from "./html.js";

/** `flowgate usage` per policy, with the average approval wait drawn as bars. */
export function usageBody(usage: PolicyUsage[], days: number): Safe {
  const longest = Math.max(1, ...usage.map((u) => u.averageWaitSeconds ?? 0));
  const rows = usage.map(
    (
      u,
    ) => html`<tr data-policy="${u.policy}"><td><strong>${u.policy}</strong></td><td>${u.jobs}</td><td>${u.approvalsRequired}</td><td>${u.autoApproved}</td>
<td>${u.rejected}</td><td>${u.succeeded} / ${u.failed}</td>
<td>${
      u.averageWaitSeconds === null
        ? html`<span class="muted">no waits</span>`
        : html`<svg width="160" height="12" role="img" aria-label="average wait"><rect width="${Math.max(2, Math.round((u.averageWaitSeconds / longest) * 160))}" height="12" rx="2" fill="#0969da"/></svg> ${waited(Math.round(u.averageWaitSeconds))}`
    }</td>
<td>${u.averageExecutionSeconds === null ? "" : waited(Math.round(u.averageExecutionSeconds))}</td></tr>`,
  );
  return html`<h1>Usage</h1><p class="lead">Per policy over the last ${days} days in your repositories: stack jobs, approvals and how long people made them wait.</p>
<div class="card"><form class="filters" method="get" action="/console/usage"><label>Days<input name="days" value="${days}"></label><button class="act" type="submit">Show</button></form></div>
<div class="card">${
    usage.length
      ? html`<table><thead><tr><th>Policy</th><th>Jobs</th><th>Approvals required</th><th>Auto-approved</th><th>Rejected</th><th>Succeeded / failed</th><th>Average approval wait</th><th>Average run</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<div class="empty">No stack jobs in this period.</div>`
  }</div>`;
}

export function failure(text: string): Safe {
  return html`<div class="notice bad" role="alert">${text}</div>`;
}

/** A PR: flowgate's decision on its head and the sticky comment's text (markdown shown as written). */
export function pullBody(p: PullView): Safe {
  const state = p.merged ? "merged" : p.state;
  return html`<h1>Pull request #${p.number}</h1><p class="lead">${p.repo} · by @${p.author} · ${state} · head <code>${p.headSha.slice(0, 12)}</code> · <a href="${p.url}">open on GitHub</a>${
    p.mergeCommitSha
      ? html` · <a href="/console/pipelines?repo=${encodeURIComponent(p.repo)}&amp;sha=${p.mergeCommitSha}">apply pipeline</a>`
      : html``
  }</p>
<div class="card"><table class="kv"><tbody><tr><th>flowgate check</th><td>${
    p.decision
      ? html`${pill(p.decision.conclusion === "success" ? "succeeded" : p.decision.conclusion === "failure" ? "failed" : "pending")} ${p.decision.title}${p.decision.current ? html`` : html` <span class="muted">(an older head)</span>`}`
      : html`<span class="muted">not decided yet</span>`
  }</td></tr></tbody></table></div>
<div class="card"><table><thead><tr><th>What the sticky comment says: each stack's policy, where it comes from, and what it needs</th></tr></thead><tbody><tr><td>${
    p.sticky
      ? html`<pre class="sticky">${p.sticky}</pre>`
      : html`<span class="muted">flowgate has not commented on this PR yet.</span>`
  }</td></tr></tbody></table></div>`;
}
