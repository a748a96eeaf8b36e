/**
 * A fake GitHub for flowgate's integration tests, benchmarks and soak runs: a small stateful HTTP
 * server on 127.0.0.1 that answers the REST paths (and the two GraphQL mutations) flowgate uses,
 * with GitHub's status codes, shapes, pagination, ETags and rate-limit headers, plus a seeding
 * API, views for assertions, injected faults and webhook delivery.
 *
 *   const gh = new FakeGitHub({ appSlug: "flowgate", webhookSecret: "s3cret" });
 *   const { url } = await gh.start();           // the API base URL
 *   gh.addInstallation({ id: 1, account: { login: "acme", type: "Organization" } });
 *   const repo = gh.addRepo({ owner: "acme", name: "infra", installationId: 1 });
 *
 * Known differences from GitHub (keep this list honest):
 * - Every API request must be authenticated (GitHub serves public data anonymously).
 * - A JWT is checked for `alg`, `iss` (= appId), `iat` and `exp`; its signature only when
 *   `verifyJwtSignature` is on (default: on once `privateKey` was read, so hand that key to Probot).
 * - Using an app JWT on an installation endpoint answers 403 "Resource not accessible by
 *   integration"; GitHub's exact answer there is not documented.
 * - Mergeability is computed at once (GitHub computes it in the background and may answer null
 *   first). Required checks come from `protectBranch`; reviews are never required. `rebase` merges
 *   land as one commit, like `squash`. Renames show as a removal plus an addition.
 * - Diff line counts are a multiset difference, and `patch` is the whole old file removed and the
 *   new one added; fine for counting files, not for reading hunks.
 * - GraphQL understands only `enablePullRequestAutoMerge` / `disablePullRequestAutoMerge` and answers
 *   a fixed selection (`pullRequest { id number autoMergeRequest { enabledAt mergeMethod } }`). The
 *   error text for a stale `expectedHeadOid` is a guess; the "clean status" and "Protected branch
 *   rules not configured" texts are GitHub's.
 * - Runs never start by themselves unless `autoRun` says so; `cancel` completes a run at once.
 *   Deployment protection rule callbacks are only recorded. Dispatch validates `ref` (a branch), the
 *   workflow file on that ref, its `workflow_dispatch` trigger and inputs; `run-name` is evaluated
 *   only for `inputs.*`, `github.event.inputs.*`, `github.actor` and `github.ref_name`.
 * - Pull requests from forks keep their commits in the base repository's object store (as GitHub's
 *   `refs/pull/N/head` does) and any branch the test made for them stays a branch there.
 * - Faulted requests are charged against the rate limit; 304s and refusals (401, 404 for repos the
 *   token cannot see, exhausted limit) are not.
 * - An ETag depends on the answer only, unless `etagPerToken`: GitHub's also differ from one token to
 *   the next, so after an installation token is renewed (hourly) its first conditional requests are
 *   answered 200 and charged.
 * - Check runs, comments and runs made through the API are attributed to the app's bot; there is
 *   no user-token auth.
 * - Webhooks sent by the fake itself: `pull_request` closed + `push` after a merge (API or
 *   auto-merge), `workflow_run` requested on dispatch/rerun (option `runWebhooks`), completed on
 *   `completeRun`/cancel, in_progress/requested on `setRunStatus`. It sends no `check_run`,
 *   `check_suite` or `pull_request` `auto_merge_enabled` events.
 */

import type { KeyObject } from "node:crypto";
import type { Server } from "node:http";
import { pullRequestEvent, pushEvent, workflowRunEvent } from "../webhooks.js";
import { actionRoutes } from "./api/actions.js";
import { appRoutes } from "./api/app.js";
import { checkRoutes } from "./api/checks.js";
import { gitDataRoutes } from "./api/git-data.js";
import { graphqlRoutes } from "./api/graphql.js";
import { issueRoutes } from "./api/issues.js";
import { permissionRoutes } from "./api/permissions.js";
import { pullRoutes } from "./api/pulls.js";
import { repoRoutes } from "./api/repos.js";
import { makeAppKeys } from "./auth.js";
import { type FaultConfig, Faults, type RequestMatcher } from "./faults.js";
import { mergeStatus, performMerge } from "./merge.js";
import { FakeOAuth } from "./oauth.js";
import { RateLimits } from "./rate-limit.js";
import { Renderer } from "./render.js";
import { type Effects, error, type Reply, Router } from "./router.js";
import { attachResult, defaultResult, finishRun } from "./runs.js";
import { type RequestRecord, startServer } from "./server.js";
import {
  type DispatchRecord,
  FakeGitHubUsageError,
  iso,
  type PullState,
  type RepoState,
  type RunConclusion,
  type RunState,
  Store,
} from "./state.js";
import { postWebhook, type SignatureMode, type WebhookResult } from "./webhook-sender.js";
import { FakeGitHubWorld } from "./world.js";

export type { FaultConfig, RequestMatcher } from "./faults.js";
export type { RequestRecord } from "./server.js";
export * from "./state.js";
export type { SignatureMode, WebhookResult } from "./webhook-sender.js";
export { FakeGitHubWorld } from "./world.js";

export interface FakeGitHubOptions {
  appSlug?: string;
  appId?: number;
  webhookSecret?: string;
  /** requests per hour per installation and resource; default 5,000 */
  rateLimit?: number;
  /** installation token lifetime; default one hour */
  tokenTtlMs?: number;
  /** check JWT signatures against `privateKey`; default: on once `privateKey` has been read */
  verifyJwtSignature?: boolean;
  /** send `workflow_run` `requested` when a run is created; default true */
  runWebhooks?: boolean;
  /** the fake's clock, for timestamps and token expiry; default the real one */
  now?: () => Date;
  /** `requests` keeps at most about this many newest entries (soak runs); default 200,000 */
  requestLogLimit?: number;
  /**
   * How long an idle connection stays open; default 1 s. Node's fetch keeps a connection for the
   * server's keep-alive less 1 s, so at 1 s every request opens a new connection; benchmarks set a
   * minute, as GitHub keeps its connections.
   */
  keepAliveTimeoutMs?: number;
  /** ETags that differ from one token to the next, as GitHub's do; default false */
  etagPerToken?: boolean;
}

export interface DeliveryRecord extends WebhookResult {
  event: string;
  action: string | undefined;
  /** sent by the fake itself, not by the test */
  auto: boolean;
}

/** What `autoRun` sees for each dispatched (or re-run) run. */
export interface AutoRunRequest {
  repo: string;
  run: RunState;
  dispatch: DispatchRecord | undefined;
}

export interface AutoRunOutcome {
  conclusion: RunConclusion;
  /** undefined: the default result for `success`, none otherwise; null: no artifact */
  result?: object | null;
  delayMs?: number;
}

export interface CompleteRunOptions {
  conclusion: RunConclusion;
  result?: object | null;
  artifactName?: string;
}

export class FakeGitHub extends FakeGitHubWorld {
  readonly render: Renderer;
  /** the app's user authorization (client id and secret, user tokens) */
  readonly oauth: FakeOAuth;
  /** every request received, oldest first */
  readonly requests: RequestRecord[] = [];
  /** every webhook delivery attempted, oldest first */
  readonly deliveries: DeliveryRecord[] = [];
  /** crashes inside the fake (a bug here, not in the app); tests may assert it stays empty */
  readonly internalErrors: Error[] = [];
  /** makes every dispatched run complete on its own; return undefined to leave a run alone */
  autoRun: ((request: AutoRunRequest) => AutoRunOutcome | undefined) | null = null;

  private readonly webhookSecret: string;
  private readonly faults = new Faults();
  private readonly rateLimits: RateLimits;
  private readonly runWebhooks: boolean;
  private readonly verifyOption: boolean | undefined;
  private readonly requestLogLimit: number;
  private readonly keepAliveTimeoutMs: number | undefined;
  private readonly etagPerToken: boolean;
  private keys: { privateKey: string; publicKey: KeyObject } | null = null;
  private server: Server | null = null;
  private baseUrl = "https://api.github.com";
  private webhookTarget: string | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  /** pending auto runs: their timer and how to settle them early on stop() */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private deliveryChain: Promise<unknown> = Promise.resolve();
  private readonly hookId: number;

  constructor(options: FakeGitHubOptions = {}) {
    super(new Store(options.appId ?? 4242, options.appSlug ?? "flowgate"), options.now ?? (() => new Date()));
    if (options.tokenTtlMs !== undefined) this.store.tokenTtlMs = options.tokenTtlMs;
    this.render = new Renderer(this.store, () => this.baseUrl);
    this.oauth = new FakeOAuth(this.store);
    this.webhookSecret = options.webhookSecret ?? "s3cret";
    this.rateLimits = new RateLimits(options.rateLimit ?? 5000);
    this.runWebhooks = options.runWebhooks ?? true;
    this.verifyOption = options.verifyJwtSignature;
    if (options.verifyJwtSignature) this.keys = makeAppKeys();
    this.requestLogLimit = options.requestLogLimit ?? 200_000;
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs;
    this.etagPerToken = options.etagPerToken ?? false;
    this.hookId = this.store.nextId("hook", 400_000_000);
  }

  // ---- server -------------------------------------------------------------------------------

  get url(): string {
    return this.baseUrl;
  }

  get appId(): number {
    return this.store.appId;
  }

  get appSlug(): string {
    return this.store.appSlug;
  }

  get botLogin(): string {
    return this.store.botLogin;
  }

  /** A PEM private key for Probot (`privateKey` / `PRIVATE_KEY`); reading it turns JWT signature checks on. */
  get privateKey(): string {
    this.keys ??= makeAppKeys();
    return this.keys.privateKey;
  }

  async start(options: { port?: number } = {}): Promise<{ url: string }> {
    if (this.server) return { url: this.baseUrl };
    const router = new Router().add([
      ...appRoutes,
      ...repoRoutes,
      ...gitDataRoutes,
      ...pullRoutes,
      ...checkRoutes,
      ...issueRoutes,
      ...permissionRoutes,
      ...actionRoutes,
      ...graphqlRoutes,
    ]);
    const { server, url } = await startServer(
      {
        store: this.store,
        render: this.render,
        router,
        effects: this.effects(),
        faults: this.faults,
        rateLimits: this.rateLimits,
        jwt: () => ({
          appId: this.store.appId,
          publicKey: (this.verifyOption ?? this.keys !== null) && this.keys ? this.keys.publicKey : null,
        }),
        now: this.now,
        log: this.requests,
        logLimit: this.requestLogLimit,
        etagPerToken: this.etagPerToken,
        blob: (path) => this.blob(path),
        oauth: this.oauth,
        internalErrors: this.internalErrors,
      },
      options.port ?? 0,
    );
    if (this.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = this.keepAliveTimeoutMs;
    this.server = server;
    this.baseUrl = url;
    return { url };
  }

  async stop(): Promise<void> {
    for (const [timer, settle] of this.timers) {
      clearTimeout(timer);
      settle();
    }
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setWebhookTarget(url: string | null): void {
    this.webhookTarget = url;
  }

  /** Waits until every background task (auto-merge, webhook deliveries, pending auto runs) is done. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  countRequests(
    filter: { since?: Date | number; charged?: boolean; method?: string; path?: RegExp } = {},
  ): number {
    const since = filter.since === undefined ? undefined : new Date(filter.since).getTime();
    return this.requests.filter(
      (r) =>
        (since === undefined || r.at.getTime() >= since) &&
        (filter.charged === undefined || r.charged === filter.charged) &&
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || filter.path.test(r.path)),
    ).length;
  }

  resetRequestLog(): void {
    this.requests.length = 0;
  }

  // ---- rate limits and faults -------------------------------------------------------------------

  setRateLimit(limit: number): void {
    this.rateLimits.limit = limit;
  }

  /** false: workflow dispatches answer 204 with no run, as a GitHub Enterprise Server before `return_run_details` */
  setDispatchRunDetails(enabled: boolean): void {
    this.store.dispatchRunDetails = enabled;
  }

  resetRateLimits(): void {
    this.rateLimits.reset();
  }

  /** A seeded share of matching requests fails without being applied; `null` clears. */
  setFaults(config: FaultConfig | null): void {
    this.faults.set(config);
  }

  failNext(matcher: RequestMatcher, status: number, times = 1): void {
    this.faults.failNext(matcher, status, times);
  }

  // ---- runs -------------------------------------------------------------------------------------

  /**
   * Completes a run, attaches its `result.json` artifact (default name `flowgate-result`; `result`
   * undefined → a default result for `success`, none otherwise; `null` → none) and sends the signed
   * `workflow_run` `completed` webhook. Resolves with the delivery (undefined without a target).
   */
  async completeRun(
    repoName: string,
    runId: number,
    options: CompleteRunOptions,
  ): Promise<WebhookResult | undefined> {
    const run = this.runOf(repoName, runId);
    if (run.status === "completed") {
      throw new FakeGitHubUsageError(`fake GitHub: run ${runId} is already completed; re-run it first`);
    }
    const now = this.now();
    finishRun(run, options.conclusion, now);
    const result =
      options.result === undefined
        ? options.conclusion === "success"
          ? defaultResult(run)
          : null
        : options.result;
    if (result !== null)
      attachResult(this.store, run, options.artifactName ?? "flowgate-result", result, now);
    return this.emit("workflow_run", workflowRunEvent(this, run, "completed"));
  }

  /** `in_progress` sends `workflow_run` `in_progress`; `waiting` (an environment's reviewers) sends `requested`. */
  async setRunStatus(
    repoName: string,
    runId: number,
    status: "in_progress" | "waiting",
  ): Promise<WebhookResult | undefined> {
    const run = this.runOf(repoName, runId);
    run.status = status;
    run.updatedAt = iso(this.now());
    return this.emit(
      "workflow_run",
      workflowRunEvent(this, run, status === "in_progress" ? "in_progress" : "requested"),
    );
  }

  private runOf(repoName: string, runId: number): RunState {
    const run = this.store.repo(repoName).runs.get(runId);
    if (!run) throw new FakeGitHubUsageError(`fake GitHub: no run ${runId} in ${repoName}`);
    return run;
  }

  // ---- webhooks ---------------------------------------------------------------------------------

  /** POSTs a webhook to the target, signed unless told otherwise. */
  async sendWebhook(
    event: string,
    payload: object,
    options: { deliveryId?: string; signature?: SignatureMode } = {},
  ): Promise<WebhookResult> {
    const target = this.webhookTarget;
    if (!target) throw new FakeGitHubUsageError("fake GitHub: call setWebhookTarget before sendWebhook");
    const result = await postWebhook({
      target,
      secret: this.webhookSecret,
      event,
      payload,
      hookId: this.hookId,
      appId: this.store.appId,
      ...(options.deliveryId ? { deliveryId: options.deliveryId } : {}),
      ...(options.signature ? { signature: options.signature } : {}),
    });
    this.deliveries.push({ ...result, event, action: actionOf(payload), auto: false });
    return result;
  }

  /** Webhooks the fake sends itself go out one at a time, in order, in the background. */
  private emit(event: string, payload: object): Promise<WebhookResult | undefined> {
    const target = this.webhookTarget;
    if (!target) return Promise.resolve(undefined);
    const delivery = this.deliveryChain.then(async () => {
      const result = await postWebhook({
        target,
        secret: this.webhookSecret,
        event,
        payload,
        hookId: this.hookId,
        appId: this.store.appId,
      });
      this.deliveries.push({ ...result, event, action: actionOf(payload), auto: true });
      return result;
    });
    this.deliveryChain = delivery.catch(() => undefined);
    return this.track(delivery);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  // ---- side effects of API calls ----------------------------------------------------------------

  private effects(): Effects {
    return {
      pullMerged: (pull, before, after) => this.afterMerge(pull, before, after),
      runCreated: (run) => this.afterRunCreated(run),
      runCancelled: (run) => {
        this.track(
          Promise.resolve().then(() => {
            finishRun(run, "cancelled", this.now());
            return this.emit("workflow_run", workflowRunEvent(this, run, "completed"));
          }),
        );
      },
      checksChanged: (repo) => this.checksChanged(repo),
      openPull: (input) => {
        const pull = this.openPull(input);
        void this.emit("pull_request", pullRequestEvent(this, "opened", pull, { sender: input.user }));
        return pull;
      },
    };
  }

  private afterMerge(pull: PullState, before: string, after: string): void {
    const by = pull.mergedBy?.login ?? this.store.botLogin;
    void this.emit("pull_request", pullRequestEvent(this, "closed", pull, { sender: by }));
    void this.emit(
      "push",
      pushEvent(this, pull.repo, { before, after, ref: `refs/heads/${pull.base.ref}`, pusher: by }),
    );
  }

  private afterRunCreated(run: RunState): void {
    if (this.runWebhooks) void this.emit("workflow_run", workflowRunEvent(this, run, "requested"));
    const outcome = this.autoRun?.({
      repo: run.repo.fullName,
      run,
      dispatch: run.repo.dispatches.find((d) => d.runId === run.id),
    });
    if (!outcome) return;
    const attempt = run.runAttempt;
    // the run may have been cancelled or re-run meanwhile, also while a webhook was on its way
    const overtaken = () => run.status === "completed" || run.runAttempt !== attempt;
    const finish = async () => {
      if (overtaken()) return;
      await this.setRunStatus(run.repo.fullName, run.id, "in_progress");
      if (overtaken()) return;
      await this.completeRun(run.repo.fullName, run.id, {
        conclusion: outcome.conclusion,
        ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      });
    };
    this.track(
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          finish().then(resolve, resolve);
        }, outcome.delayMs ?? 0);
        this.timers.set(timer, resolve);
      }),
    );
  }

  /** GitHub merges an auto-merge pull request once it is clean; done after the current request. */
  protected override checksChanged(repo: RepoState): void {
    this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        for (const issue of repo.issues.values()) {
          const pull = issue.pull;
          if (!pull?.autoMerge || mergeStatus(repo, pull).state !== "clean") continue;
          const { mergeMethod, enabledBy } = pull.autoMerge;
          const { before, after } = performMerge(pull, {
            method: mergeMethod,
            by: enabledBy,
            now: this.now(),
          });
          repo.merges.push({
            repo: repo.fullName,
            number: pull.number,
            sha: after,
            method: mergeMethod,
            expectedHeadSha: null,
            mergedBy: enabledBy.login,
            viaAutoMerge: true,
            at: this.now(),
          });
          this.afterMerge(pull, before, after);
        }
      }),
    );
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private blob(path: string): Reply {
    const match = /^\/_blobs\/artifacts\/(\d+)\.zip$/.exec(path);
    for (const repo of this.store.repos.values()) {
      const artifact = match?.[1] ? repo.artifacts.get(Number(match[1])) : undefined;
      if (artifact) return { status: 200, raw: { bytes: artifact.zip, contentType: "application/zip" } };
    }
    return error(404, "Not Found");
  }
}

function actionOf(payload: object): string | undefined {
  const action = (payload as { action?: unknown }).action;
  return typeof action === "string" ? action : undefined;
}
