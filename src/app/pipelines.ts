import type { Runtime } from "./runtime.js";

/** The apply pipeline, merge queues and reconciliation register their handlers here. */
export function installPipelines(_rt: Runtime): void {}
