import type { Redis } from "ioredis";
import type { InstallationRepo, ListPage, PullInfo } from "../github/port.js";
import { keys } from "./keys.js";

/** A default branch's head as GitHub last answered, and whether `.github/flowgate/` is there. */
export interface DefaultBranchHead {
  sha: string;
  etag?: string;
  /** undefined until looked at for this head */
  configured?: boolean;
}

/**
 * How long a repository with no flowgate configuration, in an organization with none, is left out of
 * reconciliation when no push to its default branch ends the rest sooner. It bounds how late a missed
 * event there is repaired. Rests differ by up to a quarter of an hour from one repository to the next,
 * so repositories that went to rest in the same pass do not all wake in the same pass.
 */
export const AT_REST_SECONDS = 60 * 60;
const AT_REST_SPREAD_SECONDS = 15 * 60;

/**
 * What reconciliation heard from GitHub on its last pass, so that the next one asks conditionally
 * (a 304 is not charged) and a repository without configuration can rest.
 */
export class ReconcileMemory {
  constructor(private readonly redis: Redis) {}

  private async read<T>(key: string): Promise<T | undefined> {
    const text = await this.redis.get(key);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  private async write(key: string, value: unknown): Promise<void> {
    await this.redis.set(key, JSON.stringify(value));
  }

  async installationRepos(installationId: number): Promise<ListPage<InstallationRepo>[]> {
    return (await this.read<ListPage<InstallationRepo>[]>(keys.listedRepos(installationId))) ?? [];
  }

  saveInstallationRepos(installationId: number, pages: ListPage<InstallationRepo>[]): Promise<void> {
    return this.write(keys.listedRepos(installationId), pages);
  }

  async openPulls(repoId: number): Promise<ListPage<PullInfo>[]> {
    return (await this.read<ListPage<PullInfo>[]>(keys.listedOpenPulls(repoId))) ?? [];
  }

  saveOpenPulls(repoId: number, pages: ListPage<PullInfo>[]): Promise<void> {
    return this.write(keys.listedOpenPulls(repoId), pages);
  }

  defaultBranchHead(repoId: number): Promise<DefaultBranchHead | undefined> {
    return this.read<DefaultBranchHead>(keys.defaultBranchHead(repoId));
  }

  saveDefaultBranchHead(repoId: number, head: DefaultBranchHead): Promise<void> {
    return this.write(keys.defaultBranchHead(repoId), head);
  }

  /** At rest for this default branch: a rest taken on another branch (since renamed) does not count. */
  async isAtRest(repoId: number, defaultBranch: string): Promise<boolean> {
    return (await this.redis.get(keys.repoAtRest(repoId))) === defaultBranch;
  }

  async putToRest(repoId: number, defaultBranch: string): Promise<void> {
    const seconds = AT_REST_SECONDS + (repoId % AT_REST_SPREAD_SECONDS);
    await this.redis.set(keys.repoAtRest(repoId), defaultBranch, "EX", seconds);
  }

  /** A push to the default branch: configuration may be there now. */
  async wake(repoId: number): Promise<void> {
    await this.redis.del(keys.repoAtRest(repoId));
  }

  /** The repository left the installation (or was deleted). */
  async forgetRepo(repoId: number): Promise<void> {
    await this.redis.del(
      keys.listedOpenPulls(repoId),
      keys.defaultBranchHead(repoId),
      keys.repoAtRest(repoId),
    );
  }
}
