import type { ConfigFacts } from "../engine/pull/snapshot.js";
import type { PullView } from "../engine/pull-decision.js";
import { code } from "./markdown.js";

/** SPEC §2.3: why a fixing PR is judged by its own head, and what that found. */
function validatedAtHeadSection(
  defaultBranchErrors: readonly string[],
  headErrors: readonly string[],
): string {
  const first = defaultBranchErrors[0] ?? "";
  const more = defaultBranchErrors.length > 1 ? ` (and ${defaultBranchErrors.length - 1} more)` : "";
  const verdict =
    headErrors.length === 0 ? "it is valid there" : `${headErrors.length} error(s) remain there`;
  return `**The default branch's configuration is invalid** (${code(first, 300)}${more}). This PR touches only \`.github/flowgate/\`, so it is validated at its head: ${verdict}.`;
}

/** The paragraphs about the configuration itself, on the `flowgate` check and the sticky comment. */
export function configSections(config: ConfigFacts, pull: PullView): string[] {
  const sections = config.change
    ? [
        `**Configuration change** (${config.change.files} file(s)): judged by the default branch's configuration; ${pull.configChange?.approval.summary ?? ""}`,
      ]
    : [];
  if (config.validatedAtHead)
    sections.push(validatedAtHeadSection(config.validatedAtHead.defaultBranchErrors, config.errors));
  return sections;
}
