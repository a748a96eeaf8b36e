import type { Probot } from "probot";
import type { Octokit } from "../github/octokit-port.js";
import { OctokitPort } from "../github/octokit-port.js";
import type { WritePacer } from "../github/pacer.js";
import type { GitHubPort, RepoRef } from "../github/port.js";
import type { Metrics } from "../observability/metrics.js";

const CLIENT_TTL_MS = 30 * 60_000;

/**
 * Installation clients, one per installation, with flowgate's hooks: mutations paced per
 * installation, every request counted. 5xx and rate limits are retried by flowgate's own request hook
 * (github/rate-limits.ts); Probot's auth refreshes installation tokens.
 */
export class GitHubClients {
  private readonly clients = new Map<number, { at: number; octokit: Promise<Octokit> }>();

  constructor(
    private readonly probot: Probot,
    private readonly pacer: WritePacer,
    private readonly metrics: Metrics,
    private appSlug: string,
  ) {}

  setAppSlug(slug: string): void {
    this.appSlug = slug;
  }

  private client(installationId: number): Promise<Octokit> {
    const cached = this.clients.get(installationId);
    if (cached && Date.now() - cached.at < CLIENT_TTL_MS) return cached.octokit;
    const octokit = this.probot.auth(installationId).then((o) => {
      const client = o as unknown as Octokit;
      client.hook.before("request", async (options) => {
        const method = String(options.method ?? "GET").toUpperCase();
        if (method !== "GET" && method !== "HEAD") await this.pacer.wait(installationId);
      });
      client.hook.after("request", (response, options) => {
        this.metrics.githubRequests.inc({ method: String(options.method), status: String(response.status) });
      });
      client.hook.error("request", (error, options) => {
        const status = (error as { status?: number }).status ?? "error";
        this.metrics.githubRequests.inc({ method: String(options.method), status: String(status) });
        throw error;
      });
      return client;
    });
    // A failed token request must not be cached.
    octokit.catch(() => this.clients.delete(installationId));
    this.clients.set(installationId, { at: Date.now(), octokit });
    return octokit;
  }

  port(ref: RepoRef): GitHubPort {
    return new OctokitPort(() => this.client(ref.installationId), ref, this.appSlug);
  }
}
