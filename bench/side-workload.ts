/**
 * The side-by-side's workload: one `opened` pull request per event, sent at a steady rate to one
 * app, and the fake GitHub's request log read for the first check run on each head.
 */
import type { FakeGitHub } from "../test/support/fake-github/index.js";
import { postWebhook } from "../test/support/fake-github/webhook-sender.js";
import { pullRequestEvent } from "../test/support/webhooks.js";

export interface PreparedEvent {
  head: string;
  payload: object;
}

/** Pull requests opened in the fake beforehand, each touching one stack, so sending costs nothing else. */
export function preparePulls(gh: FakeGitHub, repo: string, count: number): PreparedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const branch = `bench-${i}`;
    const head = gh.commit(repo, branch, { "infra/app/main.tf": `# ${repo} ${i}\n` });
    const pull = gh.openPull({ repo, head: { ref: branch, sha: head }, user: "dev" });
    return { head, payload: pullRequestEvent(gh, "opened", pull) };
  });
}

export interface Target {
  url: string;
  secret: string;
  appId: number;
}

export interface Sent {
  head: string;
  /** epoch ms just before the POST */
  sentAt: number;
  ackMs: number;
}

/** Posts the events at `perSecond`, on a schedule that does not drift, without waiting for answers. */
export async function sendSteadily(
  target: Target,
  events: readonly PreparedEvent[],
  perSecond: number,
): Promise<Sent[]> {
  const interval = 1000 / perSecond;
  const start = performance.now();
  const answers: Promise<Sent>[] = [];
  for (const [i, event] of events.entries()) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sentAt = Date.now();
    answers.push(
      postWebhook({
        target: target.url,
        secret: target.secret,
        event: "pull_request",
        payload: event.payload,
        hookId: 1,
        appId: target.appId,
      }).then((result) => {
        if (result.status >= 300) throw new Error(`webhook answered ${result.status} ${result.error ?? ""}`);
        return { head: event.head, sentAt, ackMs: result.durationMs };
      }),
    );
  }
  return Promise.all(answers);
}

/** Reads the fake's request log as it grows: the first check run posted per head, the last request per installation. */
export class RequestWatcher {
  private scanned = 0;
  private readonly firstCheckAt = new Map<string, number>();
  private readonly lastRequestAt = new Map<number, number>();

  constructor(private readonly gh: FakeGitHub) {}

  private scan(): void {
    const log = this.gh.requests;
    for (; this.scanned < log.length; this.scanned++) {
      const r = log[this.scanned]!;
      const at = r.at.getTime();
      if (r.installationId !== null) this.lastRequestAt.set(r.installationId, at);
      if (r.method !== "POST" || r.status !== 201 || !r.path.endsWith("/check-runs")) continue;
      const head = (r.body as { head_sha?: string } | undefined)?.head_sha;
      if (head && !this.firstCheckAt.has(head)) this.firstCheckAt.set(head, at);
    }
  }

  /** Milliseconds from each webhook's POST to the first check run on its head. */
  async endToEnd(sent: readonly Sent[], timeoutMs = 60_000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.scan();
      const missing = sent.filter((s) => !this.firstCheckAt.has(s.head)).length;
      if (missing === 0) return sent.map((s) => this.firstCheckAt.get(s.head)! - s.sentAt);
      if (Date.now() > deadline) throw new Error(`bench: ${missing} heads got no check run in time`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Waits until the installation's app has made no request for `quietMs`: its work for the block is done. */
  async quiet(installationId: number, quietMs = 500, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.scan();
      if (Date.now() - (this.lastRequestAt.get(installationId) ?? 0) >= quietMs) return;
      if (Date.now() > deadline) throw new Error(`bench: installation ${installationId} never went quiet`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
