#!/usr/bin/env node
import { processIO } from "../dist/src/cli/io.js";
import { runCli } from "../dist/src/cli/main.js";

// A command is done when it has answered: a connection library's idle timers must not hold the exit.
runCli(process.argv.slice(2), processIO).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`flowgate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
