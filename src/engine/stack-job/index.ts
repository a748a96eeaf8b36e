/** The stack-job state machine (SPEC §1, §4, §5): types, creation, transitions and descriptions. */
export { type NewJobInput, newJob, queuedReason } from "./create.js";
export { describeJob } from "./describe.js";
export { dispatchInputs, HISTORY_LIMIT, isTerminal, planIsFresh, transition } from "./transition.js";
export * from "./types.js";
