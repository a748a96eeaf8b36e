import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The Prometheus metrics of SPEC §6, plus queue depth and webhook counts. */
export class Metrics {
  readonly registry = new Registry();
  readonly webhooks = new Counter({
    name: "flowgate_webhooks_total",
    help: "Webhook deliveries by event and outcome (accepted, duplicate, ignored, rejected)",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });
  readonly webhookAck = new Histogram({
    name: "flowgate_webhook_ack_seconds",
    help: "Time to verify and enqueue a webhook",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly approvalWait = new Histogram({
    name: "flowgate_approval_wait_seconds",
    help: "Time from a plan being ready to the approvals being met",
    labelNames: ["policy"] as const,
    buckets: [60, 300, 900, 1800, 3600, 4 * 3600, 86_400, 7 * 86_400],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: "flowgate_rejections_total",
    help: "Rejections (/reject and changes-requested reviews) that block a change",
    labelNames: ["policy"] as const,
    registers: [this.registry],
  });
  readonly overrides = new Counter({
    name: "flowgate_overrides_total",
    help: "Break-glass overrides",
    labelNames: ["environment"] as const,
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: "flowgate_verifications_total",
    help: "Verifications after an apply, by outcome (passed, failed)",
    labelNames: ["outcome", "environment"] as const,
    registers: [this.registry],
  });
  readonly promotionWait = new Histogram({
    name: "flowgate_promotion_wait_seconds",
    help: "From an apply job's creation to its earlier environments being applied, verified and soaked",
    labelNames: ["environment"] as const,
    buckets: [10, 60, 300, 900, 1800, 3600, 4 * 3600, 86_400],
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: "flowgate_stack_job_duration_seconds",
    help: "Stack job duration from creation to its end",
    labelNames: ["policy", "kind", "outcome"] as const,
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86_400],
    registers: [this.registry],
  });
  readonly dispatches = new Counter({
    name: "flowgate_dispatches_total",
    help: "Workflow dispatches by operation",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly evaluations = new Counter({
    name: "flowgate_pull_evaluations_total",
    help: "Pull request evaluations by outcome",
    labelNames: ["conclusion"] as const,
    registers: [this.registry],
  });
  readonly evaluationLatency = new Histogram({
    name: "flowgate_webhook_to_check_seconds",
    help: "Time from webhook receipt to the check run being written",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly githubRequests = new Counter({
    name: "flowgate_github_requests_total",
    help: "Requests to GitHub by method and status class",
    labelNames: ["method", "status"] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "flowgate_queue_depth",
    help: "Jobs waiting, delayed or active per queue",
    labelNames: ["queue", "state"] as const,
    registers: [this.registry],
  });
}
