import { sign } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { receiveWebhook } from "../../../src/app/webhook-receive.js";

const SECRET = "s3cret";
const BODY = JSON.stringify({ action: "opened", number: 1 });

async function headers(body = BODY, overrides: Record<string, string | undefined> = {}) {
  return {
    "content-type": "application/json",
    "x-github-event": "pull_request",
    "x-github-delivery": "d-1",
    "x-hub-signature-256": await sign(SECRET, body),
    ...overrides,
  };
}

function collector() {
  const got: { id: string; name: string; payload: unknown }[] = [];
  return { got, accept: async (d: (typeof got)[number]) => void got.push(d) };
}

describe("receiving a webhook delivery as Probot's middleware did", () => {
  it("hands over a signed delivery and answers 200", async () => {
    const { got, accept } = collector();
    const answer = await receiveWebhook(await headers(), BODY, SECRET, accept);
    expect(answer).toMatchObject({ status: 200, body: "ok\n" });
    expect(got).toEqual([{ id: "d-1", name: "pull_request", payload: { action: "opened", number: 1 } }]);
  });

  it("refuses a wrong, missing or foreign-secret signature with 400 and hands nothing over", async () => {
    const { got, accept } = collector();
    const cases = [
      await headers(BODY, { "x-hub-signature-256": await sign("other", BODY) }),
      await headers(BODY, { "x-hub-signature-256": "sha256=00" }),
      await headers(BODY, { "x-hub-signature-256": undefined }),
    ];
    for (const h of cases) {
      const answer = await receiveWebhook(h, BODY, SECRET, accept);
      expect(answer.status).toBe(400);
    }
    const tampered = await receiveWebhook(await headers(), BODY.replace("1", "2"), SECRET, accept);
    expect(tampered.status).toBe(400);
    expect(JSON.parse(tampered.body).error).toMatch(/signature does not match/);
    expect(got).toEqual([]);
  });

  it("says which of GitHub's headers is missing, refuses other content types and bad JSON", async () => {
    const { got, accept } = collector();
    const missing = await receiveWebhook(
      await headers(BODY, { "x-github-event": undefined }),
      BODY,
      SECRET,
      accept,
    );
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error).toBe("Required headers missing: x-github-event");
    const form = await receiveWebhook(
      await headers(BODY, { "content-type": "application/x-www-form-urlencoded" }),
      BODY,
      SECRET,
      accept,
    );
    expect(form.status).toBe(415);
    const broken = "{not json";
    expect((await receiveWebhook(await headers(broken), broken, SECRET, accept)).status).toBe(400);
    expect(got).toEqual([]);
  });

  it("lets a failure to hand over surface (the server answers 500; GitHub can redeliver)", async () => {
    await expect(
      receiveWebhook(await headers(), BODY, SECRET, async () => {
        throw new Error("redis is away");
      }),
    ).rejects.toThrow("redis is away");
  });
});
