#!/usr/bin/env node
import { processIO } from "../dist/src/cli/io.js";
import { runCli } from "../dist/src/cli/main.js";

runCli(process.argv.slice(2), processIO).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`flowgate: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
