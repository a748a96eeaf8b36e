import { expandGenerators } from "../config/generate.js";
import { loadConfigFiles, mergeConfigSets } from "../config/load.js";
import type { ConfigSet, Diagnostic, Gate, Policy, Stack } from "../config/types.js";
import { GitHubConfigSource, type SourceSnapshot } from "../github/config-source.js";
import type { GitHubPort, RepoRef } from "../github/port.js";
import type { OrgConfigAbsence } from "../state/org-config.js";
import { validateConfig } from "../validation/validate.js";

/** Everything configured for one repository at one ref, validated, with its problems as values. */
export interface RepoConfig {
  platform: ConfigSet;
  organization?: ConfigSet;
  repository: ConfigSet;
  stacks: Stack[];
  policies: Policy[];
  gates: Map<string, Gate>;
  unownedInfraFiles: string[];
  /** error diagnostics: the `flowgate` check fails and names each (SPEC §7) */
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** sources that could not be read (403, 5xx, timeout): flowgate fails closed */
  sourceErrors: string[];
  /** the files this configuration came from, for the "configuration change" rules */
  files: string[];
}

export interface ReadConfigOptions {
  /** the ref to read the repository's own files at: its default branch, or (SPEC §2.3) a PR head */
  ref: string;
  /** the organization `.github` repository's ref; empty for its default branch */
  orgRef?: string;
  /**
   * paths a PR adds, so generators see new directories of the PR head (SPEC §2.1); a function is
   * called only when the configuration has generators, so the files can be listed meanwhile
   */
  extraPaths?: readonly string[] | (() => Promise<readonly string[]>);
  now: Date;
}

const MAX_PARSED = 500;

export class ConfigService {
  private readonly source = new GitHubConfigSource();
  private readonly parsed = new Map<string, ConfigSet>();
  private readonly trees = new Map<string, { etag?: string; paths: string[] }>();
  private readonly validated = new Map<string, Diagnostic[]>();

  constructor(
    private readonly platform: ConfigSet,
    private readonly orgAbsence?: OrgConfigAbsence,
  ) {}

  private parse(snapshot: SourceSnapshot): ConfigSet {
    const hit = this.parsed.get(snapshot.key);
    if (hit) return hit;
    const set = loadConfigFiles(snapshot.files);
    if (this.parsed.size >= MAX_PARSED) this.parsed.clear();
    this.parsed.set(snapshot.key, set);
    return set;
  }

  private async treePaths(port: GitHubPort, ref: string): Promise<string[]> {
    const key = `${port.ref.owner}/${port.ref.repo}@${ref}`;
    const cached = this.trees.get(key);
    const result = await port.listTree(ref, cached?.etag);
    if (result.status === "ok") {
      this.trees.set(key, { ...(result.etag ? { etag: result.etag } : {}), paths: result.value.paths });
      return result.value.paths;
    }
    if (result.status === "not-modified" && cached) return cached.paths;
    return [];
  }

  /**
   * The same files validate the same way: the result is kept per configuration version (the files'
   * blob shas) and minute, since expiry and time checks read the clock (issue 11: validating on every
   * event was 1% of its CPU).
   */
  private validate(input: Parameters<typeof validateConfig>[0], key: string | false): Diagnostic[] {
    if (key === false) return validateConfig(input);
    const hit = this.validated.get(key);
    if (hit) return hit;
    const diagnostics = validateConfig(input);
    if (this.validated.size >= MAX_PARSED) this.validated.clear();
    this.validated.set(key, diagnostics);
    return diagnostics;
  }

  /** A push to the organization's `.github` repository (or its creation): it may hold configuration now. */
  async forgetOrganization(org: string): Promise<void> {
    await this.orgAbsence?.forget(org);
  }

  async read(
    github: (ref: RepoRef) => GitHubPort,
    repo: RepoRef,
    opts: ReadConfigOptions,
  ): Promise<RepoConfig> {
    const port = github(repo);
    const sourceErrors: string[] = [];
    // The organization's default-branch configuration, unless it is known to be absent (a 404 costs a
    // charged request every time; see OrgConfigAbsence). A specific orgRef is always read. Asked
    // alongside the repository's read, so it shares that read's Redis round trip (issue 11).
    const [repoSnapshot, knownAbsent] = await Promise.all([
      this.source.read(port, opts.ref, "repository", `${repo.owner}/${repo.repo}`),
      !opts.orgRef && repo.repo !== ".github" ? this.orgAbsence?.isAbsent(repo.owner) : false,
    ]);
    let organization: ConfigSet | undefined;
    let organizationKey = "none";
    if (repo.repo !== ".github" && !knownAbsent) {
      const orgRef: RepoRef = { installationId: repo.installationId, owner: repo.owner, repo: ".github" };
      const orgSnapshot = await this.source.read(
        github(orgRef),
        opts.orgRef ?? "",
        "organization",
        `${repo.owner}/.github`,
        `${repo.owner}/.github:`,
      );
      if (orgSnapshot.status === "error")
        sourceErrors.push(`cannot read ${orgSnapshot.label}/.github/flowgate: ${orgSnapshot.error}`);
      else if (orgSnapshot.status === "ok") {
        organization = this.parse(orgSnapshot);
        organizationKey = orgSnapshot.key;
      } else if (!opts.orgRef) await this.orgAbsence?.markAbsent(repo.owner);
    }
    if (repoSnapshot.status === "error") {
      sourceErrors.push(
        `cannot read ${repoSnapshot.label}/.github/flowgate at ${opts.ref}: ${repoSnapshot.error}`,
      );
    }
    const repository = this.parse(repoSnapshot);

    const all = mergeConfigSets(this.platform, ...(organization ? [organization] : []), repository);
    let stacks: Stack[] = [...repository.stacks];
    const generated: Diagnostic[] = [];
    if (repository.generators.length > 0) {
      try {
        const paths = await this.treePaths(port, opts.ref);
        const extra =
          typeof opts.extraPaths === "function" ? await opts.extraPaths() : (opts.extraPaths ?? []);
        const expanded = expandGenerators(repository.generators, [...paths, ...extra]);
        stacks = [...stacks, ...expanded.stacks];
        generated.push(...expanded.diagnostics);
      } catch (error) {
        sourceErrors.push(
          `cannot list the repository's files for stack generators: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const diagnostics = [
      ...all.diagnostics,
      ...generated,
      ...this.validate(
        {
          platform: this.platform,
          ...(organization ? { organization } : {}),
          repository,
          stacks,
          org: repo.owner,
          now: opts.now,
        },
        // Generated stacks depend on the files too: those are validated every time.
        repository.generators.length === 0 &&
          `${organizationKey}|${repoSnapshot.key}|${repo.owner}|${Math.floor(opts.now.getTime() / 60_000)}`,
      ),
    ];
    const gates = new Map<string, Gate>();
    for (const gate of [...(organization?.gates ?? []), ...repository.gates]) gates.set(gate.name, gate);
    const settings = [...this.platform.settings, ...(organization?.settings ?? []), ...repository.settings];
    return {
      platform: this.platform,
      ...(organization ? { organization } : {}),
      repository,
      stacks,
      policies: all.policies,
      gates,
      // A union: a repository can add infrastructure globs but never drop the organization's or platform's.
      unownedInfraFiles: [...new Set(settings.flatMap((s) => s.unownedInfraFiles))],
      errors: diagnostics.filter((d) => d.severity === "error"),
      warnings: diagnostics.filter((d) => d.severity === "warning"),
      sourceErrors,
      files: all.files,
    };
  }
}
