import type { ConfigFile, Level } from "../config/types.js";
import type { DirEntry, GitHubPort } from "./port.js";

export const CONFIG_DIR = ".github/flowgate";

/** One configuration source as read from GitHub. */
export interface SourceSnapshot {
  level: Level;
  /** how files of this source are named in messages, e.g. `acme/.github` */
  label: string;
  status: "ok" | "absent" | "error";
  files: ConfigFile[];
  /** changes exactly when a file changes: parsed results are cached under it */
  key: string;
  error?: string;
}

interface DirCache {
  etag?: string;
  entries: DirEntry[];
}

function errorText(error: unknown): string {
  const status =
    typeof error === "object" && error !== null && "status" in error
      ? (error as { status: unknown }).status
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return status ? `GitHub answered ${status}: ${message}` : message;
}

/**
 * Reads `.github/flowgate/` from GitHub with conditional requests: an unchanged folder costs a 304
 * (free), and file contents are cached by blob sha (content-addressed, never stale). Only a 404
 * means "no configuration here"; anything else that fails is an error, and flowgate fails closed.
 */
/** One configuration file, and all of one source's files together: more is refused, closed. */
export const MAX_CONFIG_FILE_BYTES = 512 * 1024;
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** What the blob cache may hold in all (file texts are kept by blob sha across repositories and heads). */
const MAX_CACHED_BLOB_BYTES = 64 * 1024 * 1024;

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

export class GitHubConfigSource {
  private readonly dirs = new Map<string, DirCache>();
  private readonly blobs = new Map<string, string>();
  private cachedBytes = 0;
  private static readonly MAX_FILES = 200;
  private static readonly MAX_DIRS = 5_000;

  async read(
    port: GitHubPort,
    ref: string,
    level: Level,
    label: string,
    displayPrefix = "",
  ): Promise<SourceSnapshot> {
    const files: ConfigFile[] = [];
    const shas: string[] = [];
    try {
      const found = await this.walk(port, CONFIG_DIR, ref, files, shas, displayPrefix, level);
      const total = files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
      if (total > MAX_CONFIG_BYTES)
        throw new Error(
          `${label}/${CONFIG_DIR} holds ${kib(total)} of configuration; the limit is ${kib(MAX_CONFIG_BYTES)} in all`,
        );
      if (!found) return { level, label, status: "absent", files: [], key: `${label}@absent` };
      return { level, label, status: "ok", files, key: `${label}@${shas.join(",")}` };
    } catch (error) {
      return { level, label, status: "error", files: [], key: `${label}@error`, error: errorText(error) };
    }
  }

  private async walk(
    port: GitHubPort,
    path: string,
    ref: string,
    files: ConfigFile[],
    shas: string[],
    displayPrefix: string,
    level: Level,
  ): Promise<boolean> {
    const cacheKey = `${port.ref.owner}/${port.ref.repo}@${ref}:${path}`;
    const cached = this.dirs.get(cacheKey);
    const listed = await port.listDirectory(path, ref, cached?.etag);
    let entries: DirEntry[];
    if (listed.status === "not-found") {
      this.dirs.delete(cacheKey);
      return false;
    }
    if (listed.status === "not-modified" && cached) entries = cached.entries;
    else if (listed.status === "ok") {
      entries = listed.value;
      // Keyed by ref, and PR heads come and go (SPEC §2.3 reads them): keep the cache bounded.
      if (this.dirs.size >= GitHubConfigSource.MAX_DIRS) this.dirs.clear();
      this.dirs.set(cacheKey, { ...(listed.etag ? { etag: listed.etag } : {}), entries });
    } else {
      // A 304 without a cached listing cannot happen unless the cache was dropped: read again, unconditionally.
      this.dirs.delete(cacheKey);
      return this.walk(port, path, ref, files, shas, displayPrefix, level);
    }
    for (const entry of [...entries].sort((a, b) => a.path.localeCompare(b.path))) {
      if (entry.type === "dir") {
        await this.walk(port, entry.path, ref, files, shas, displayPrefix, level);
      } else if (entry.type === "file" && /\.ya?ml$/i.test(entry.name)) {
        if (files.length >= GitHubConfigSource.MAX_FILES)
          throw new Error(`more than ${GitHubConfigSource.MAX_FILES} files under ${CONFIG_DIR}`);
        const tooLarge = (bytes: number) =>
          new Error(
            `${displayPrefix}${entry.path} is ${kib(bytes)}; one configuration file may hold at most ${kib(MAX_CONFIG_FILE_BYTES)}`,
          );
        if (entry.size !== undefined && entry.size > MAX_CONFIG_FILE_BYTES) throw tooLarge(entry.size);
        let text = this.blobs.get(entry.sha);
        if (text === undefined) {
          text = await port.readBlob(entry.sha);
          const bytes = Buffer.byteLength(text);
          if (bytes > MAX_CONFIG_FILE_BYTES) throw tooLarge(bytes);
          this.remember(entry.sha, text, bytes);
        }
        files.push({ path: `${displayPrefix}${entry.path}`, content: text, level });
        shas.push(entry.sha);
      }
    }
    return true;
  }

  /** Caches a file text by blob sha, within a byte budget (oldest first out). */
  private remember(sha: string, text: string, bytes: number): void {
    while (this.cachedBytes + bytes > MAX_CACHED_BLOB_BYTES && this.blobs.size > 0) {
      const [oldest, old] = this.blobs.entries().next().value as [string, string];
      this.blobs.delete(oldest);
      this.cachedBytes -= Buffer.byteLength(old);
    }
    this.blobs.set(sha, text);
    this.cachedBytes += bytes;
  }
}
