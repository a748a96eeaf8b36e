/** Shared setup for the fake GitHub's own tests: one server, one organization installation, one repository. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import { FakeGitHub, type FakeGitHubOptions, type RepoState } from "../../support/fake-github/index.js";

export interface Fixture {
  gh: FakeGitHub;
  url: string;
  repo: RepoState;
  token: string;
  /** an installation-token client with retries and throttling off, so every answer is visible */
  octokit: InstanceType<typeof ProbotOctokit>;
}

export const INSTALLATION = 11;

export async function startFixture(options: FakeGitHubOptions = {}): Promise<Fixture> {
  const gh = new FakeGitHub({ appSlug: "flowgate", webhookSecret: "s3cret", ...options });
  const { url } = await gh.start();
  gh.addInstallation({ id: INSTALLATION, account: { login: "acme", type: "Organization" } });
  const repo = gh.addRepo({
    owner: "acme",
    name: "infra",
    installationId: INSTALLATION,
    files: { "README.md": "# infra\n", "infra/prod/db/main.tf": 'resource "x" "y" {}\n' },
  });
  const token = gh.issueToken(INSTALLATION);
  return { gh, url, repo, token, octokit: client(url, token) };
}

export function client(baseUrl: string, token: string): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { token },
    baseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

/** The status of a failed Octokit call, or 0 when it did not fail. */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (cause) {
    return (cause as { status?: number }).status ?? -1;
  }
}

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

/** A webhook receiver that records what it gets and answers `status` (default 202). */
export async function captureWebhooks(): Promise<{
  url: string;
  received: Received[];
  setStatus(status: number): void;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let status = 202;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    received,
    setStatus: (s) => {
      status = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
