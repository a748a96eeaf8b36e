import type { Redis } from "ioredis";
import type { InstallationRepo, ListPage, PullInfo } from "../github/port.js";
import { keys } from "./keys.js";

/** A default branch's head as GitHub last answered. */
export interface DefaultBranchHead {
  sha: string;
  etag?: string;
}

/**
 * What reconciliation heard from GitHub on its last pass, so that the next one asks conditionally
 * (a 304 is not charged).
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

  /** The repository left the installation (or was deleted). */
  async forgetRepo(repoId: number): Promise<void> {
    await this.redis.del(keys.listedOpenPulls(repoId), keys.defaultBranchHead(repoId));
  }
}
