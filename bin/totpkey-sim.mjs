#!/usr/bin/env node
// Entry point of the package bin: the compiled simulator lives in dist/ (npm run build).
import { main } from "../dist/host-sim/sim-cli.js";

process.exitCode = await main(process.argv.slice(2));
