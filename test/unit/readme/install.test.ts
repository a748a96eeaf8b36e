/**
 * The README's "Two commands" and "Install it on a repository", walked as a newcomer would: every
 * file and folder it names exists, every command it gives exists, every setting flowgate reads is
 * in its table, and the permissions and environments it relies on are where it says.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { VERIFY_ENV_PREFIX } from "../../../src/config/after-apply-types.js";
import { packageRoot } from "../../../src/paths.js";
import { ALLOWED_HOSTS_SETTING } from "../../../src/verify/allowed-hosts.js";

const ROOT = packageRoot();
const README = readFileSync(join(ROOT, "README.md"), "utf8");

function section(title: string): string {
  const start = README.indexOf(`## ${title}`);
  if (start === -1) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf("\n## ", start + 3);
  return README.slice(start, end === -1 ? undefined : end);
}

const INSTALL = section("Install it on a repository");

describe("README: install it on a repository", () => {
  it("every linked file or folder exists", () => {
    const links = [...`${section("Two commands")}${INSTALL}`.matchAll(/\]\(([^)#]+)\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^https?:/.test(l));
    expect(links.length).toBeGreaterThan(4);
    for (const link of links) expect(existsSync(join(ROOT, link)), link).toBe(true);
  });

  it("the two commands are scripts of the package", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const script of ["start", "test", "bench", "soak"]) expect(pkg.scripts[script], script).toBeTruthy();
  });

  it("the files it says to copy are shipped, and the workflow uses the action where it is copied to", () => {
    expect(INSTALL).toContain("`.github/workflows/flowgate.yml`");
    expect(INSTALL).toContain("`.github/actions/flowgate-summarize/`");
    for (const file of ["examples/terraform/flowgate.yml", "examples/pulumi/flowgate.yml"]) {
      const workflow = readFileSync(join(ROOT, file), "utf8");
      expect(workflow).toContain("uses: ./.github/actions/flowgate-summarize");
      expect(workflow).toContain("environment: flowgate-apply");
      expect(workflow).toContain("environment: flowgate-plan");
    }
    expect(existsSync(join(ROOT, "examples/actions/flowgate-summarize/action.yml"))).toBe(true);
  });

  it("the check, the environment and the rule it names are what flowgate writes and asks for", () => {
    expect(INSTALL).toContain("`flowgate`");
    expect(INSTALL).toContain("after it has run once");
    expect(INSTALL).toContain("`flowgate-apply`");
    const manifest = parse(readFileSync(join(ROOT, "app.yml"), "utf8")) as {
      default_permissions: Record<string, string>;
      default_events: string[];
    };
    expect(manifest.default_events).toContain("deployment_protection_rule");
    expect(manifest.default_events).toContain("merge_group");
    expect(manifest.default_permissions.deployments).toBe("write");
    expect(manifest.default_permissions.workflows).toBe("write");
  });

  it("the command it gives runs", () => {
    expect(INSTALL).toContain("npx flowgate validate");
    const help = execFileSync(process.execPath, [join(ROOT, "bin", "flowgate.js"), "validate", "--help"], {
      encoding: "utf8",
    });
    expect(help).toContain("usage: flowgate validate");
  });
});

describe("README: every setting flowgate reads is in the settings table", () => {
  const readers = [
    "src/runtime/settings.ts",
    "src/app/start.ts",
    "src/app/setup.ts",
    "src/console/settings.ts",
    "src/cli/remote.ts",
  ];
  const table = section("Operating it");
  it("the verification probes' allow-list", () => {
    expect(table).toContain(`\`${ALLOWED_HOSTS_SETTING}\``);
    expect(table).toContain(`\`${VERIFY_ENV_PREFIX}*\``);
  });
  for (const file of readers) {
    it(file, () => {
      const source = readFileSync(join(ROOT, file), "utf8");
      const names = new Set([...source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
      expect(names.size).toBeGreaterThan(0);
      for (const name of names) {
        expect(table, `${name} (read in ${file})`).toContain(`\`${name}\``);
      }
    });
  }
});

describe("how flowgate is started", () => {
  it("the image runs it with npm start's Node flags, and those flags are ones this Node knows", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const start = pkg.scripts.start!.split(/\s+/);
    expect(start[0]).toBe("node");
    expect(start.at(-1)).toBe("dist/src/app/main.js");
    const flags = start.filter((arg) => arg.startsWith("--"));
    expect(flags.length).toBeGreaterThan(0);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))?.[1];
    expect(JSON.parse(cmd!)).toEqual(["node", ...flags, "dist/src/app/main.js"]);
    // an unknown V8 flag would stop node at once with "bad option"
    expect(execFileSync(process.execPath, [...flags, "-e", "process.stdout.write('ok')"]).toString()).toBe(
      "ok",
    );
  });
});
