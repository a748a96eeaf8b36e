import type { Stack } from "../../config/types.js";
import { CONFIG_DIR } from "../../github/config-source.js";

export interface ConfigChange {
  isChange: boolean;
  /** the PR touches nothing but `.github/flowgate/` */
  onlyFlowgateFiles: boolean;
  files: string[];
}

/**
 * SPEC §2.3: a PR that changes `.github/flowgate/**`, a workflow file flowgate dispatches, or a local
 * action under `.github/actions/**` (the summarizer and anything else those workflows call) is a
 * configuration change: still judged by the default branch, and it needs its own approval.
 */
const LOCAL_ACTIONS_DIR = ".github/actions";

export function isConfigurationChange(paths: readonly string[], stacks: readonly Stack[]): ConfigChange {
  const workflows = new Set(
    ["flowgate.yml", ...stacks.map((s) => s.workflow)].map((w) => `.github/workflows/${w}`),
  );
  // Local actions run inside those workflows, with their credentials: changing one is as strong.
  const files = paths.filter(
    (p) => p.startsWith(`${CONFIG_DIR}/`) || workflows.has(p) || p.startsWith(`${LOCAL_ACTIONS_DIR}/`),
  );
  return {
    isChange: files.length > 0,
    onlyFlowgateFiles: paths.length > 0 && paths.every((p) => p.startsWith(`${CONFIG_DIR}/`)),
    files,
  };
}
