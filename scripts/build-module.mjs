#!/usr/bin/env node
// Builds the token module (release and debug) and one test module per entry in assembly/testkit/.
// Test modules use the release flags, so tests and benchmarks measure what the board runs.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asc = join(root, "node_modules", ".bin", "asc");

function compile(entry, target, outFile) {
  // Every build keeps @cold functions out of line (scripts/cold-functions.mjs).
  const args = [entry, "--target", target, "--transform", "./scripts/cold-functions.mjs"];
  if (outFile) args.push("--outFile", outFile);
  execFileSync(asc, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}

compile("assembly/index.ts", "release");
compile("assembly/index.ts", "debug");
for (const file of readdirSync(join(root, "assembly", "testkit")).filter((f) => f.endsWith(".ts")).sort()) {
  compile(`assembly/testkit/${file}`, "testkit", `build/testkit-${basename(file, ".ts")}.wasm`);
}
