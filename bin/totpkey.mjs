#!/usr/bin/env node
// Entry point of the package bin: the compiled CLI lives in dist/ (npm run build).
import { main } from "../dist/cli/main.js";

// `totpkey accounts list | head -1`: the reader left; stop quietly, as command-line tools do.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
