import { describe, expect, it } from "vitest";
import { countApprovals } from "../../../src/engine/approvals.js";
import { approve, input, reject, stack } from "./builders.js";

const count = (events: Parameters<typeof input>[0]) =>
  countApprovals({ ...input(events), stacks: [stack()] })[0]!;

describe("events stamped in the same second (GitHub's timestamps have whole seconds)", () => {
  it("orders two reviews of one person by GitHub's review id, whatever order they arrived in", () => {
    const rejected = reject("bob", 20, { source: "review", seq: 101 });
    const approved = approve("bob", 20, { source: "review", seq: 102 });
    for (const events of [
      [rejected, approved],
      [approved, rejected],
    ]) {
      const r = count(events);
      expect(r.blockedBy).toEqual([]);
      expect(r.counted.map((c) => c.login)).toEqual(["bob"]);
    }
  });

  it("orders two comments of one person by GitHub's comment id", () => {
    const approved = approve("bob", 20, { source: "comment", seq: 7 });
    const rejected = reject("bob", 20, { source: "comment", seq: 8 });
    const r = count([rejected, approved]);
    expect(r.counted).toEqual([]);
    expect(r.blockedBy.map((b) => b.login)).toEqual(["bob"]);
  });
});
