import { toFacts, toPullInfo, toRun } from "../github/shapes.js";
import { isBotAccount } from "../model/bots.js";
import type { FlowgateEvent, PullFacts, RepoInfo } from "./events.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON, read field by field
type Json = any;

const PULL_ACTIONS = new Set([
  "opened",
  "synchronize",
  "reopened",
  "ready_for_review",
  "converted_to_draft",
  "edited",
  "labeled",
  "unlabeled",
  "closed",
]);

function repoInfo(payload: Json): RepoInfo | undefined {
  const r = payload.repository;
  const installationId = payload.installation?.id;
  if (!r?.owner?.login || !r.name || typeof installationId !== "number") return undefined;
  return {
    installationId,
    owner: r.owner.login,
    repo: r.name,
    repoId: r.id,
    defaultBranch: r.default_branch ?? "main",
    private: Boolean(r.private),
  };
}

function pullFacts(p: Json, repoFullName: string): PullFacts {
  return {
    ...toFacts(toPullInfo(p), repoFullName),
    ...(typeof p.changed_files === "number" ? { changedFiles: p.changed_files } : {}),
  };
}

const isBot = (user: Json): boolean => isBotAccount(user);

/**
 * Maps a verified webhook to the event flowgate acts on, or undefined for events it ignores.
 * Pure: no I/O, so the webhook handler stays fast (SPEC §6: handlers only verify and enqueue).
 */
export function mapWebhook(name: string, payload: Json): FlowgateEvent | undefined {
  if (name === "installation" || name === "installation_repositories") {
    const id = payload.installation?.id;
    return typeof id === "number"
      ? { type: "installation", installationId: id, action: payload.action }
      : undefined;
  }
  if (name === "member" || name === "membership" || name === "team") return peopleEvent(payload);
  const repo = repoInfo(payload);
  if (!repo) return undefined;
  const fullName = `${repo.owner}/${repo.repo}`;
  switch (name) {
    case "pull_request": {
      if (!PULL_ACTIONS.has(payload.action)) return undefined;
      const baseChanged = payload.action === "edited" && payload.changes?.base !== undefined;
      // Title or body edits change nothing flowgate decides on.
      if (payload.action === "edited" && !baseChanged) return undefined;
      return {
        type: "pull",
        repo,
        action: payload.action,
        pull: pullFacts(payload.pull_request, fullName),
        baseChanged,
        sender: { login: payload.sender?.login ?? "", isBot: isBot(payload.sender) },
        at: payload.pull_request.updated_at ?? new Date().toISOString(),
        ...(payload.action === "synchronize" && typeof payload.before === "string"
          ? { before: payload.before }
          : {}),
      };
    }
    case "pull_request_review": {
      if (payload.action !== "submitted" && payload.action !== "dismissed") return undefined;
      const r = payload.review;
      return {
        type: "review",
        repo,
        action: payload.action,
        number: payload.pull_request.number,
        sender: payload.sender?.login ?? "",
        review: {
          id: r.id,
          login: r.user?.login ?? "",
          isBot: isBot(r.user),
          state: String(r.state ?? "").toUpperCase(),
          commitId: r.commit_id ?? "",
          submittedAt: r.submitted_at ?? "",
        },
      };
    }
    case "issue_comment": {
      // SPEC §3.2: only newly created comments are read; edits are ignored.
      if (payload.action !== "created") return undefined;
      const c = payload.comment;
      return {
        type: "comment",
        repo,
        number: payload.issue.number,
        isPull: payload.issue.pull_request !== undefined,
        comment: {
          id: c.id,
          body: typeof c.body === "string" ? c.body : "",
          login: c.user?.login ?? "",
          isBot: isBot(c.user),
          createdAt: c.created_at ?? "",
        },
      };
    }
    case "check_run": {
      if (payload.action !== "requested_action") return undefined;
      const cr = payload.check_run;
      return {
        type: "check-action",
        repo,
        checkRun: { id: cr.id, name: cr.name, headSha: cr.head_sha, externalId: cr.external_id ?? null },
        identifier: payload.requested_action?.identifier ?? "",
        sender: { login: payload.sender?.login ?? "", isBot: isBot(payload.sender) },
        at: new Date().toISOString(),
      };
    }
    case "workflow_run": {
      const r = payload.workflow_run;
      // Only runs flowgate dispatched can matter (SPEC §5): every other workflow's runs (a repository's
      // CI) are not queued at all. Nor is `requested` for a queued run: the dispatch recorded the run
      // already (one without a run id finds it by its run-name); waiting for reviewers still counts.
      if (r?.event !== "workflow_dispatch") return undefined;
      if (payload.action === "requested" && r.status !== "waiting") return undefined;
      return {
        type: "run",
        repo,
        action: payload.action,
        run: toRun(r),
      };
    }
    case "push": {
      if (payload.ref !== `refs/heads/${repo.defaultBranch}` || payload.deleted) return undefined;
      return {
        type: "push",
        repo,
        ref: payload.ref,
        before: payload.before,
        after: payload.after,
        forced: Boolean(payload.forced),
        pusher: payload.pusher?.name ?? payload.sender?.login ?? "",
      };
    }
    case "repository": {
      const relevant = ["created", "renamed", "transferred", "unarchived"].includes(payload.action);
      return relevant && repo.repo === ".github" ? { type: "org-config", repo } : undefined;
    }
    case "merge_group": {
      if (payload.action !== "checks_requested") return undefined;
      const g = payload.merge_group;
      return { type: "merge-group", repo, headSha: g.head_sha, headRef: g.head_ref, baseRef: g.base_ref };
    }
    case "deployment_protection_rule": {
      if (payload.action !== "requested") return undefined;
      const url: string = payload.deployment_callback_url ?? "";
      const runId = /\/actions\/runs\/(\d+)\//.exec(url)?.[1];
      return {
        type: "deployment-rule",
        repo,
        environment: payload.environment ?? "",
        runId: runId ? Number(runId) : null,
        callbackUrl: url,
      };
    }
    default:
      return undefined;
  }
}

/** Access changed (SPEC §3.2's permission cache must not outlive it): who and where. */
function peopleEvent(payload: Json): FlowgateEvent | undefined {
  const installationId = payload.installation?.id;
  const org = payload.organization?.login ?? payload.repository?.owner?.login;
  if (typeof installationId !== "number" || !org) return undefined;
  const repo = repoInfo(payload);
  const login = payload.member?.login;
  const team = payload.team?.slug;
  return {
    type: "people",
    installationId,
    org,
    ...(repo ? { repo } : {}),
    ...(typeof login === "string" ? { login } : {}),
    ...(typeof team === "string" ? { team } : {}),
  };
}
