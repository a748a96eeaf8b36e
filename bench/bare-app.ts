/**
 * The baseline for `npm run bench`'s side-by-side: the smallest real Probot app that does what
 * flowgate's first visible step does — one check run on the head of every `pull_request`. Run as a
 * child process of its own (so its CPU and memory are its own) with APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, BARE_GITHUB_API_URL (the fake GitHub) and PORT.
 *
 * What keeps its latency in tens of milliseconds instead of 9 s:
 * - plugin-throttling is off. Left on, it paces writes to one a second (Bottleneck's `write` group,
 *   minTime 1000 ms), so 50 check runs a second queue up without end.
 * - Probot's webhook middleware answers only after the handlers finish and gives up at 9 s with a
 *   202 "still processing" — that was the 9 s: the handlers sat in the throttling queue.
 * - REDIS_URL is not passed: Probot would then share its throttling state through Redis.
 * - The app runs in its own process, not on the event loop that serves the fake GitHub.
 * - Logs go through a plain pino logger at `warn`: Probot's default "pretty" format adds a transport.
 *
 * With BARE_TRAFFIC=flowgate it first makes the other GitHub requests flowgate makes for such an
 * event (the PR's files, the configuration folder, a plan check, the plan's dispatch, the comment):
 * what the same GitHub traffic costs a bare app, apart from everything flowgate does around it.
 */
import { createServer } from "node:http";
import pino from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { stopWhenParentExits } from "../src/app/signals.js";

// biome-ignore lint/suspicious/noExplicitAny: Octokit's option bag
type OctokitOptions = Record<string, any>;

/** Probot's Octokit with throttling disabled; a function keeps Probot's own throttle options from replacing it. */
const UnthrottledOctokit = ProbotOctokit.defaults((options: OctokitOptions) => ({
  ...options,
  throttle: { ...options.throttle, enabled: false },
})) as typeof ProbotOctokit;

type Context = Parameters<Parameters<Probot["on"]>[1]>[0] & {
  payload: { pull_request: { number: number; head: { sha: string } } };
};

/** flowgate's requests for a new PR touching one stack, besides the check run the bare app posts anyway. */
async function flowgateTraffic(context: Context): Promise<void> {
  const { number, head } = context.payload.pull_request;
  const gh = context.octokit;
  await gh.request(
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
    context.repo({ pull_number: number, per_page: 100 }),
  );
  await gh.request("GET /repos/{owner}/{repo}/contents/{path}", context.repo({ path: ".github/flowgate" }));
  await gh.rest.checks.create(
    context.repo({
      name: "plan",
      head_sha: head.sha,
      status: "in_progress",
      output: { title: "Planning", summary: "The plan workflow is running.\n".repeat(20) },
    }),
  );
  await gh.request(
    "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    context.repo({
      workflow_id: "flowgate.yml",
      ref: "main",
      inputs: {
        job_id: `bare-${number}`,
        stack: "app",
        operation: "plan",
        sha: head.sha,
        path: "infra/app",
        refresh: "true",
        plan_run_id: "",
      },
      return_run_details: true,
    }),
  );
  await gh.rest.issues.createComment(
    context.repo({
      issue_number: number,
      body: "| stack | plan |\n|---|---|\n| app | planning |\n".repeat(30),
    }),
  );
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bare app: ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const probot = new Probot({
    appId: required("APP_ID"),
    privateKey: required("PRIVATE_KEY"),
    secret: required("WEBHOOK_SECRET"),
    baseUrl: required("BARE_GITHUB_API_URL"),
    Octokit: UnthrottledOctokit,
    log: pino({ level: "warn" }),
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on("pull_request", async (context) => {
        if (process.env.BARE_TRAFFIC === "flowgate") await flowgateTraffic(context as Context);
        await context.octokit.rest.checks.create(
          context.repo({
            name: "bare",
            head_sha: context.payload.pull_request.head.sha,
            status: "completed",
            conclusion: "success",
            output: { title: "bare Probot app", summary: "One check run per pull_request event." },
          }),
        );
      });
    },
    { probot },
  );
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200).end("ok\n");
      return;
    }
    middleware(req, res, () => res.writeHead(404).end());
  });
  server.listen(Number(required("PORT")), "127.0.0.1");
  stopWhenParentExits(() => process.exit(0));
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
