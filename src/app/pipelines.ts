import { installApplyPipeline } from "../workers/apply/install.js";
import { handleDeploymentRule } from "../workers/events/deployment-rule.js";
import { handleMergeGroup } from "../workers/events/merge-group.js";
import { extraHandlers } from "../workers/events/route.js";
import { reconcileInstallation } from "../workers/reconcile/reconcile.js";
import type { Runtime } from "./runtime.js";
import { maintenanceHandlers } from "./workers.js";

let installed = false;

/** The apply pipeline, merge queues and reconciliation register their handlers here, once per process. */
export function installPipelines(_rt: Runtime): void {
  if (installed) return;
  installed = true;
  installApplyPipeline();
  extraHandlers["merge-group"] = async (rt, data) => {
    if (data.event.type === "merge-group") await handleMergeGroup(rt, data.event);
  };
  extraHandlers.installation = async (rt, data) => {
    if (data.event.type === "installation" && data.event.action !== "deleted") {
      await rt.queues.maintenance.add("reconcile", {
        kind: "reconcile",
        installationId: data.event.installationId,
      });
    }
  };
  maintenanceHandlers.push(async (rt, job) => {
    if (job.kind !== "reconcile") return;
    const ids = job.installationId ? [job.installationId] : await rt.listInstallations();
    for (const id of ids) {
      try {
        await reconcileInstallation(rt, id);
      } catch (error) {
        rt.log.warn(
          { err: error, installationId: id },
          "reconciliation of an installation failed; the next pass retries",
        );
      }
    }
  });
  extraHandlers["deployment-rule"] = async (rt, data) => {
    if (data.event.type === "deployment-rule") await handleDeploymentRule(rt, data.event);
  };
}
