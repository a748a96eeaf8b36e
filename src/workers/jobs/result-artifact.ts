import { unzipSync } from "fflate";
import type { GitHubPort } from "../../github/port.js";
import { parseResultJson, type ResultJson } from "../../plan/result.js";

export const RESULT_ARTIFACT = "flowgate-result";
const MAX_ZIP_BYTES = 32 * 1024 * 1024;
/** result.json of a plan with tens of thousands of resources, pretty-printed, stays under this. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export type ArtifactOutcome = { ok: true; result: ResultJson } | { ok: false; error: string };

/** Reads `result.json` from a run's `flowgate-result` artifact; every way it can be wrong is a message. */
export async function readResultArtifact(port: GitHubPort, runId: number): Promise<ArtifactOutcome> {
  const raw = await readResultFile(port, runId);
  if (!raw.ok) return raw;
  const parsed = parseResultJson(raw.value);
  return parsed.ok ? { ok: true, result: parsed.value } : { ok: false, error: parsed.error };
}

/** The JSON in a run's `flowgate-result` artifact, unvalidated (a verification run's carries its outcome). */
export async function readResultFile(
  port: GitHubPort,
  runId: number,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const bytes = await port.downloadArtifact(runId, RESULT_ARTIFACT, MAX_ZIP_BYTES);
  if (bytes === "missing") return { ok: false, error: `the run has no artifact named ${RESULT_ARTIFACT}` };
  if (bytes === "expired") return { ok: false, error: `the ${RESULT_ARTIFACT} artifact has expired` };
  if (bytes === "too-large")
    return { ok: false, error: `the ${RESULT_ARTIFACT} artifact is larger than ${MAX_ZIP_BYTES} bytes` };
  let files: Record<string, Uint8Array>;
  try {
    // The filter refuses oversize entries before inflating them (zip bombs).
    files = unzipSync(bytes, {
      filter: (f) => f.name.endsWith("result.json") && f.originalSize <= MAX_JSON_BYTES,
    });
  } catch (error) {
    return {
      ok: false,
      error: `the ${RESULT_ARTIFACT} artifact is not a readable zip: ${(error as Error).message}`,
    };
  }
  const entry = Object.entries(files).find(
    ([name]) => name === "result.json" || name.endsWith("/result.json"),
  );
  if (!entry)
    return {
      ok: false,
      error: `the ${RESULT_ARTIFACT} artifact holds no result.json (or one over ${MAX_JSON_BYTES} bytes)`,
    };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(entry[1]));
  } catch (error) {
    return { ok: false, error: `result.json is not valid JSON: ${(error as Error).message}` };
  }
  return { ok: true, value: raw };
}
