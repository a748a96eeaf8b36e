import { describe, expect, test } from "vitest";
import { expandGenerators } from "../../../src/config/generate.js";
import type { ConfigSet, Stack } from "../../../src/config/types.js";
import { validateConfig } from "../../../src/validation/validate.js";
import { brief, load, locate } from "./helpers.js";

const NOW = new Date("2026-03-01T12:00:00Z");

const stack = (name: string, more = "", environment = "production") =>
  `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  kind: aws_rds\n  environment: ${environment}\n  dir: infra/${name}\n${more}`;

const policy = (name: string, body: string, annotations = "") =>
  `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: ${name}${annotations} }\nspec:\n${body}`;

const gate = (name: string, body = "  default: open\n") =>
  `apiVersion: flowgate/v1\nkind: Gate\nmetadata: { name: ${name} }\nspec:\n${body}`;

const docs = (...documents: string[]) => documents.join("---\n");

interface Sources {
  repository: string;
  organization?: string;
  platform?: string;
  org?: string;
  now?: Date;
  repoFiles?: string[];
}

function loaded(sources: Sources) {
  const repository = load(sources.repository, "repository", "repo.yml");
  const organization =
    sources.organization === undefined ? undefined : load(sources.organization, "organization", "org.yml");
  const platform =
    sources.platform === undefined ? undefined : load(sources.platform, "platform", "platform.yml");
  for (const set of [repository, organization, platform]) {
    expect(set?.diagnostics.filter((d) => d.severity === "error") ?? []).toEqual([]);
  }
  return { repository, organization, platform };
}

/** Semantic findings as `file line:col severity message`. */
function findings(sources: Sources): string[] {
  const { repository, organization, platform } = loaded(sources);
  const generated = expandGenerators(repository.generators, sources.repoFiles ?? []);
  return validateConfig({
    repository,
    ...(organization ? { organization } : {}),
    ...(platform ? { platform } : {}),
    stacks: [...repository.stacks, ...generated.stacks],
    ...(sources.org === undefined ? {} : { org: sources.org }),
    now: sources.now ?? NOW,
  }).map((d) => `${d.file} ${brief(d)}`);
}

describe("stacks", () => {
  test("two stacks with one name: an error naming both places", () => {
    const first = stack("db");
    const second = docs(stack("web"), stack("db"));
    const repository = load(first, "repository", "a.yml");
    const other = load(second, "repository", "b.yml");
    const merged: ConfigSet = { ...repository, stacks: [...repository.stacks, ...other.stacks] };
    const found = validateConfig({ repository: merged, stacks: merged.stacks, now: NOW });
    expect(found.map((d) => `${d.file} ${brief(d)}`)).toEqual([
      `b.yml ${locate(second, "db }")} error duplicate stack name "db": also defined at a.yml:${locate(first, "db }").split(":")[0]}`,
    ]);
  });

  test("a generated stack that takes an existing name: named with its directory", () => {
    const repository = docs(
      stack("prod-db"),
      'apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: gen }\nspec:\n  generate: { dirs: "infra/*/*", name: "{1}-{2}", environment: "{1}" }\n  kind: aws_rds\n',
    );
    expect(findings({ repository, repoFiles: ["infra/prod/db/main.tf", "infra/prod/web/main.tf"] })).toEqual([
      `repo.yml ${locate(repository, '"{1}-{2}"')} error duplicate stack name "prod-db" generated for infra/prod/db: also defined at repo.yml:3`,
    ]);
  });

  test("distinct names are fine", () => {
    expect(findings({ repository: docs(stack("a"), stack("b")) })).toEqual([]);
  });

  test("dependsOn must name a known stack, with a suggestion", () => {
    const repository = docs(stack("network"), stack("db", "  dependsOn: [network, netwrok, cache]\n"));
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "netwrok")} error unknown stack "netwrok" in dependsOn (did you mean "network"?)`,
      `repo.yml ${locate(repository, "cache")} error unknown stack "cache" in dependsOn`,
    ]);
  });

  test("dependsOn may name a generated stack", () => {
    const repository = docs(
      stack("db", "  dependsOn: [prod-network]\n"),
      'apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: gen }\nspec:\n  generate: { dirs: "infra/*/*", name: "{1}-{2}", environment: "{1}" }\n  kind: aws_vpc\n',
    );
    expect(findings({ repository, repoFiles: ["infra/prod/network/main.tf"] })).toEqual([]);
  });

  test("a dependency cycle is named in order, once", () => {
    const repository = docs(
      stack("c", "  dependsOn: [a]\n"),
      stack("b", "  dependsOn: [c]\n"),
      stack("a", "  dependsOn: [x-unrelated, b]\n"),
      stack("x-unrelated"),
    );
    // reported at the dependsOn entry of the cycle's first stack that leads into it
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "b]")} error dependency cycle: a → b → c → a`,
    ]);
  });

  test("a stack that depends on itself", () => {
    const repository = stack("a", "  dependsOn: [a]\n");
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "a]")} error dependency cycle: a → a`,
    ]);
  });

  test("a DAG with shared dependencies is no cycle", () => {
    const repository = docs(
      stack("net"),
      stack("db", "  dependsOn: [net]\n"),
      stack("cache", "  dependsOn: [net]\n"),
      stack("app", "  dependsOn: [db, cache, net]\n"),
    );
    expect(findings({ repository })).toEqual([]);
  });

  test("a chain of 20,000 stacks is checked without recursion", () => {
    const template = load(stack("x")).stacks[0]!;
    const chain = (closed: boolean): Stack[] =>
      Array.from({ length: 20_000 }, (_, i) => ({
        ...template,
        name: `s${i}`,
        dependsOn: i === 0 ? (closed ? ["s19999"] : []) : [`s${i - 1}`],
      }));
    const check = (stacks: Stack[]) =>
      validateConfig({ repository: load(""), stacks, now: NOW }).map((d) => d.message);
    expect(check(chain(false))).toEqual([]);
    const cycle = check(chain(true));
    expect(cycle).toHaveLength(1);
    expect(cycle[0]).toMatch(/^dependency cycle: s0 → s19999 → s19998 → .* → s1 → s0$/);
  });
});

describe("gates", () => {
  test("stacks and repository policies must name existing gates", () => {
    const repository = docs(
      gate("change-freeze"),
      stack("db", "  gates: [change-freeze, change-freez]\n"),
      policy(
        "p",
        "  selector: { kind: platform }\n  flowControl:\n    gates: [sre]\n    conditions:\n      - if: \"'x' in pr.labels\"\n        then: { gates: [change-freeze, hold] }\n",
      ),
    );
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "change-freez]")} error unknown gate "change-freez": no Gate of that name in this repository (did you mean "change-freeze"?)`,
      `repo.yml ${locate(repository, "sre")} error unknown gate "sre": no Gate of that name in this repository`,
      `repo.yml ${locate(repository, "hold")} error unknown gate "hold": no Gate of that name in this repository`,
    ]);
  });

  test("org: gates are checked against the organization when it is given, and not otherwise", () => {
    const repository = stack("db", "  gates: [org:change-freeze, org:nope]\n");
    expect(findings({ repository })).toEqual([]);
    expect(findings({ repository, organization: gate("change-freeze") })).toEqual([
      `repo.yml ${locate(repository, "org:nope")} error unknown gate "org:nope": no Gate of that name in the organization's .github repository`,
    ]);
  });

  test("a repository gate does not satisfy an org: reference, nor the other way round", () => {
    const repository = docs(gate("freeze"), stack("db", "  gates: [org:freeze]\n"));
    expect(findings({ repository, organization: "" })).toEqual([
      `repo.yml ${locate(repository, "org:freeze")} error unknown gate "org:freeze": no Gate of that name in the organization's .github repository`,
    ]);
    const plain = stack("db", "  gates: [freeze]\n");
    expect(findings({ repository: plain, organization: gate("freeze") })).toEqual([
      `repo.yml ${locate(plain, "freeze")} error unknown gate "freeze": no Gate of that name in this repository`,
    ]);
  });

  test("organization and platform policies may name gates each repository defines", () => {
    const shared = policy(
      "p",
      "  selector: { kind: platform }\n  flowControl: { gates: [sre-approval, org:freeze] }\n",
    );
    expect(
      findings({
        repository: "",
        organization: docs(shared, gate("freeze")),
        platform: shared.replace("name: p", "name: q"),
      }),
    ).toEqual([]);
    expect(findings({ repository: "", organization: shared })).toEqual([
      `org.yml ${locate(shared, "org:freeze")} error unknown gate "org:freeze": no Gate of that name in the organization's .github repository`,
    ]);
  });

  test("two gates with one name in one source", () => {
    const repository = docs(gate("g"), gate("g"));
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "g }", 1)} error duplicate gate "g": also defined at repo.yml:3`,
    ]);
  });
});

describe("expiry", () => {
  const expiring = (when: string) =>
    policy(
      "migration",
      "  selector: { kind: aws_rds, id: db }\n  flowControl: { isManual: true }\n",
      `, annotations: { expires: "${when}" }`,
    );

  test("an expired policy is a warning", () => {
    const repository = expiring("2024-02-01");
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, '"2024')} warning policy migration expired on 2024-02-01 and is ignored`,
    ]);
    expect(findings({ repository: expiring("2026-03-01T12:00:00Z") })).toHaveLength(1);
  });

  test("a policy that expires later is fine", () => {
    expect(findings({ repository: expiring("2026-03-02") })).toEqual([]);
    expect(findings({ repository: expiring("2026-03-01T12:00:01Z") })).toEqual([]);
  });

  test("an unreadable expiry is an error", () => {
    const repository = expiring("next tuesday");
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, '"next')} error annotations.expires: "next tuesday" is not a date or time: use a date such as "2027-02-01" or an RFC 3339 time such as "2027-02-01T09:00:00+01:00"`,
    ]);
    expect(findings({ repository: expiring("2026-02-30") })[0]).toContain(
      '"2026-02-30" is not a real calendar date',
    );
  });
});

describe("expressions", () => {
  const withFlow = (flow: string) =>
    policy("p", `  selector: { kind: environment, id: production }\n  flowControl:\n${flow}`);

  test("expressions that do not compile are errors at the expression", () => {
    const found = findings({
      repository: withFlow(
        '    conditions:\n      - if: "plan.destroy >"\n        then: { pauseBetweenPreviewAndUpdateOrDestroy: true }\n    approvalRules:\n      - if: "estimatedCost"\n        approvers: { minRequired: 1 }\n    autoMerge: { enabled: true, when: "pr.nope == 1" }\n',
      ),
    });
    expect(found.map((f) => f.split(" error ")[0])).toEqual([
      "repo.yml 8:13",
      "repo.yml 11:13",
      "repo.yml 13:39",
    ]);
    expect(found[0]).toContain("invalid expression: ");
    expect(found[1]).toContain("invalid expression: the expression must give true or false");
    expect(found[2]).toContain('invalid expression: unknown field "nope"');
  });

  test("unknown variables are errors, named", () => {
    const found = findings({
      repository: withFlow('    autoMerge: { enabled: true, when: "plann.destroy == 0" }\n'),
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('unknown variable "plann"');
  });

  test("expressions inside conditions and schedules are checked too", () => {
    const found = findings({
      repository: withFlow(
        '    schedule:\n      - days: mon\n        policy: { autoMerge: { enabled: true, when: "risk == 1" } }\n',
      ),
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^repo\.yml 9:53 error invalid expression: /);
  });

  test("valid expressions over every kind of variable pass", () => {
    const flow = `    conditions:
      - if: "plan.destroy == 0 && plan.resources.all(r, r.action == 'update')"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: false }
      - if: "'hotfix' in pr.labels && triggeredBy.type == 'user' && stack.kind == 'aws_rds'"
        then: { isManual: false }
    approvalRules:
      - if: "estimatedCost < 100.0 || risk == 'low'"
        approvers: { minRequired: 1 }
    autoMerge: { enabled: true, when: "environment != 'production' && files.all(f, f.endsWith('.tf'))" }
`;
    expect(findings({ repository: withFlow(flow) })).toEqual([]);
  });

  test("a condition reading the plan cannot set a control that acts before the plan", () => {
    const flow = `    conditions:
      - if: "plan.destroy > 0"
        then: { isManual: true, skipRefresh: true, pauseBetweenPreviewAndUpdateOrDestroy: true }
      - if: "risk == 'high'"
        then: { previewBeforeUpdateOrDestroy: false, disableOnLifecycleEvents: true }
`;
    const repository = withFlow(flow);
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "true, skip")} error this condition reads the plan ("plan.destroy > 0"), so it cannot set isManual: isManual acts before any plan exists`,
      `repo.yml ${locate(repository, "true, pause")} error this condition reads the plan ("plan.destroy > 0"), so it cannot set skipRefresh: skipRefresh acts before any plan exists`,
      `repo.yml ${locate(repository, "false, disable")} error this condition reads the plan ("risk == 'high'"), so it cannot set previewBeforeUpdateOrDestroy: previewBeforeUpdateOrDestroy acts before any plan exists`,
      `repo.yml ${locate(repository, "true }", 1)} error this condition reads the plan ("risk == 'high'"), so it cannot set disableOnLifecycleEvents: disableOnLifecycleEvents acts before any plan exists`,
    ]);
  });

  test("a condition not reading the plan may set them; one reading it may set what acts after the plan", () => {
    const flow = `    conditions:
      - if: "'urgent' in pr.labels"
        then: { isManual: true, skipRefresh: true }
      - if: "estimatedCost > 1000.0"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: true, approvalRules: [{ approvers: { minRequired: 2 } }] }
`;
    expect(findings({ repository: withFlow(flow) })).toEqual([]);
  });
});

describe("time", () => {
  test("bad timezones, days and hours point at the part that is wrong", () => {
    const repository = docs(
      policy(
        "p",
        '  selector: { kind: platform }\n  flowControl:\n    schedule:\n      - { days: "mon-fri", hours: "9-17", timezone: "Mars/Olympus", policy: {} }\n      - { days: "mon-fry", policy: {} }\n      - { hours: "17-9", policy: {} }\n',
      ),
      gate(
        "g",
        '  default: open\n  schedule:\n    - { days: "fri", timezone: "Europe/Berln", state: closed }\n',
      ),
    );
    const found = findings({ repository });
    expect(found.map((f) => f.split(" error ")[0])).toEqual([
      `repo.yml ${locate(repository, '"Mars')}`,
      `repo.yml ${locate(repository, '"mon-fry')}`,
      `repo.yml ${locate(repository, '"17-9')}`,
      `repo.yml ${locate(repository, '"Europe')}`,
    ]);
    expect(found[0]).toContain('timezone "Mars/Olympus" is not an IANA time zone name');
    expect(found[1]).toContain('unknown day "fry"');
    expect(found[2]).toContain('"17-9" is reversed');
    expect(found[3]).toContain('timezone "Europe/Berln"');
  });

  test("good windows pass", () => {
    const repository = gate(
      "g",
      '  default: open\n  schedule:\n    - { days: "sat,sun", hours: "0-9,17-24", timezone: "America/New_York", state: closed }\n    - { state: open }\n',
    );
    expect(findings({ repository })).toEqual([]);
  });

  test("durations: window, every timeout and planMaxAge, also inside conditions and schedules", () => {
    const repository = docs(
      gate("g", "  default: open\n  window: 0s\n"),
      policy(
        "p",
        "  selector: { kind: platform }\n  flowControl:\n    timeouts: { plan: 1h, apply: 400d, approval: 0m }\n    planMaxAge: 0h\n    schedule:\n      - { days: sat, policy: { timeouts: { plan: 0s } } }\n",
      ),
    );
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "0s")} error window: "0s" is zero: a duration must be longer than 0s`,
      `repo.yml ${locate(repository, "400d")} error apply: "400d" is longer than the limit of 366d`,
      `repo.yml ${locate(repository, "0m")} error approval: "0m" is zero: a duration must be longer than 0s`,
      `repo.yml ${locate(repository, "0h")} error planMaxAge: "0h" is zero: a duration must be longer than 0s`,
      `repo.yml ${locate(repository, "0s", 1)} error plan: "0s" is zero: a duration must be longer than 0s`,
    ]);
  });

  test("good durations pass", () => {
    const repository = docs(
      gate("g", "  default: open\n  window: 1h30m\n"),
      policy(
        "p",
        "  selector: { kind: platform }\n  flowControl:\n    timeouts: { plan: 1h, apply: 3h, approval: 7d }\n    planMaxAge: 24h\n",
      ),
    );
    expect(findings({ repository })).toEqual([]);
  });
});

describe("settings", () => {
  const settings = (name: string) =>
    `apiVersion: flowgate/v1\nkind: Settings\nmetadata: { name: ${name} }\nspec: {}\n`;

  test("more than one Settings document in one source", () => {
    expect(findings({ repository: docs(settings("a"), settings("b")) })).toEqual([
      "repo.yml 7:7 error only one Settings document is allowed per repository source; the first is at repo.yml:2",
    ]);
  });

  test("one per source is fine", () => {
    expect(
      findings({ repository: settings("a"), organization: settings("b"), platform: settings("c") }),
    ).toEqual([]);
  });
});

describe("selectors", () => {
  test("configuration policies: controls, autoMerge and timeouts mean nothing there; approvals do", () => {
    const repository = policy(
      "config",
      `  selector: { kind: configuration, id: x }
  flowControl:
    isManual: true
    autoMerge: { enabled: true }
    approvalRules: [{ approvers: { minRequired: 2 } }]
    gates: []
    conditions:
      - if: "plan.destroy > 0"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: true }
`,
    );
    expect(findings({ repository }).map((f) => f.replace(/: .*$/, ""))).toEqual([
      `repo.yml ${locate(repository, "x }")} warning selector id is ignored for kind configuration`,
      `repo.yml ${locate(repository, "true\n")} warning isManual has no effect for configuration changes`,
      `repo.yml ${locate(repository, "{ enabled")} warning autoMerge has no effect for configuration changes`,
      `repo.yml ${locate(repository, '"plan.destroy')} warning configuration changes have no plan`,
      `repo.yml ${locate(repository, "true }", 1)} warning pauseBetweenPreviewAndUpdateOrDestroy has no effect for configuration changes`,
    ]);
    const sensible = policy(
      "config",
      "  selector: { kind: configuration }\n  flowControl:\n    approvalRules: [{ approvers: { minRequired: 2 } }]\n",
    );
    expect(findings({ repository: sensible })).toEqual([]);
  });

  test("platform policies take no id", () => {
    const withId = policy(
      "base",
      "  selector: { kind: platform, id: planton }\n  flowControl: { isManual: false }\n",
    );
    expect(findings({ repository: "", platform: withId })).toEqual([
      `platform.yml ${locate(withId, "planton")} warning selector id is ignored for kind platform: platform policies apply to every stack`,
    ]);
    expect(findings({ repository: "", platform: withId.replace(", id: planton", "") })).toEqual([]);
  });

  test("an organization selector that cannot match the organization", () => {
    const org = policy(
      "acme",
      "  selector: { kind: organization, id: acme-* }\n  flowControl: { isManual: false }\n",
    );
    expect(findings({ repository: "", organization: org, org: "other" })).toEqual([
      `org.yml ${locate(org, "acme-*")} warning selector id "acme-*" does not match the organization "other": this policy never applies`,
    ]);
    expect(findings({ repository: "", organization: org, org: "acme-corp" })).toEqual([]);
    expect(findings({ repository: "", organization: org })).toEqual([]);
  });

  test("ties between policies of one source are reported (from the resolver)", () => {
    const repository = docs(
      stack("db"),
      policy("a", "  selector: { kind: environment, id: production }\n  flowControl: { isManual: true }\n"),
      policy("b", "  selector: { kind: environment, id: production }\n  flowControl: { isManual: false }\n"),
    );
    const found = findings({ repository });
    expect(found).toHaveLength(1);
    const [bLine, bCol] = locate(repository, "{ kind: environment", 1).split(":");
    const aLine = locate(repository, "{ kind: environment").split(":")[0];
    expect(found[0]).toContain(
      `repo.yml ${bLine}:${bCol} error policy "b" ties with policy "a" (repo.yml:${aLine})`,
    );
  });

  test("no tie when one selector is more specific or comes from another source", () => {
    const a = policy(
      "a",
      "  selector: { kind: environment, id: production }\n  flowControl: { isManual: true }\n",
    );
    const b = policy(
      "b",
      "  selector: { kind: environment, id: prod* }\n  flowControl: { isManual: false }\n",
    );
    expect(findings({ repository: docs(stack("db"), a, b) })).toEqual([]);
    expect(
      findings({ repository: docs(stack("db"), a), organization: a.replace("name: a", "name: b") }),
    ).toEqual([]);
  });

  test("two policies with one name in one source: a warning", () => {
    const a = policy(
      "same",
      "  selector: { kind: environment, id: production }\n  flowControl: { isManual: true }\n",
    );
    const b = policy(
      "same",
      "  selector: { kind: environment, id: staging }\n  flowControl: { isManual: false }\n",
    );
    const repository = docs(a, b);
    expect(findings({ repository })).toEqual([
      `repo.yml ${locate(repository, "same", 1)} warning duplicate policy name "same": also used at repo.yml:3; provenance would be ambiguous`,
    ]);
  });
});

test("findings are sorted by file, line and column", () => {
  const repository = docs(stack("b", "  dependsOn: [zz]\n"), stack("a", "  dependsOn: [yy]\n"));
  const organization = policy("p", "  selector: { kind: platform, id: x }\n  flowControl: {}\n");
  const found = findings({ repository, organization });
  expect(found.map((f) => f.split(" ").slice(0, 2).join(" "))).toEqual([
    `org.yml ${locate(organization, "x }")}`,
    `repo.yml ${locate(repository, "zz")}`,
    `repo.yml ${locate(repository, "yy")}`,
  ]);
});

describe("teams of another organization", () => {
  test("are refused in approval rules, break-glass and gate openers, with file and line", () => {
    const repository = docs(
      stack("db"),
      policy(
        "prod",
        "  selector: { kind: environment, id: production }\n  flowControl:\n    approvalRules:\n      - approvers: { minRequired: 1, fromTeams: [acme/platform, evil-corp/platform, sre] }\n",
      ),
      gate("freeze", "  default: open\n  openers: { teams: ['@evil-corp/sre', '@ACME/sre'] }\n"),
    );
    const found = findings({ repository, org: "acme" });
    expect(found).toEqual([
      'repo.yml 16:65 error team "evil-corp/platform" belongs to the organization "evil-corp", but flowgate checks teams in "acme" only; name a team of acme',
      'repo.yml 23:22 error team "@evil-corp/sre" belongs to the organization "evil-corp", but flowgate checks teams in "acme" only; name a team of acme',
    ]);
  });
});
