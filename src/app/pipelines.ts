import { installApplyPipeline } from "../workers/apply/install.js";
import { handleDeploymentRule } from "../workers/events/deployment-rule.js";
import { handleMergeGroup } from "../workers/events/merge-group.js";
import { extraHandlers } from "../workers/events/route.js";
import type { Runtime } from "./runtime.js";

let installed = false;

/** The apply pipeline, merge queues and reconciliation register their handlers here, once per process. */
export function installPipelines(_rt: Runtime): void {
  if (installed) return;
  installed = true;
  installApplyPipeline();
  extraHandlers["merge-group"] = async (rt, data) => {
    if (data.event.type === "merge-group") await handleMergeGroup(rt, data.event);
  };
  extraHandlers["deployment-rule"] = async (rt, data) => {
    if (data.event.type === "deployment-rule") await handleDeploymentRule(rt, data.event);
  };
}
