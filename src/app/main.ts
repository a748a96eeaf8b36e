import { loadEnvFile } from "./env-file.js";

// `.env` (written by Probot's setup page) is read before any other module looks at the environment.
const envFile = loadEnvFile();
const { start } = await import("./start.js");

start(envFile).catch((error: unknown) => {
  console.error(`flowgate could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
