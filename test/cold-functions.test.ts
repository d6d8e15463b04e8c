// scripts/cold-functions.mjs keeps functions marked `// @cold` out of line, so wasm3 compiles them
// only when they run (docs/wasm3.md, "Cold functions"). Checked on a small module built with and
// without the mark (the positive control: without it, binaryen inlines the function), and on the
// token module: every marked function is a function of its own there.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageRoot } from "../host-sim/paths.js";
// @ts-expect-error: a plain ES module without types
import { MARKED } from "../scripts/cold-functions.mjs";

const root = packageRoot();

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourcesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The functions a small module keeps, built with the release target's flags and the transform. */
function functionsOf(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "cold-"));
  try {
    writeFileSync(join(dir, "entry.ts"), source);
    execFileSync(join(root, "node_modules", ".bin", "asc"), [
      join(dir, "entry.ts"), "--runtime", "stub", "--optimizeLevel", "3", "--shrinkLevel", "2", "--converge", "--noAssert",
      "--transform", join(root, "scripts", "cold-functions.mjs"), "-o", join(dir, "out.wasm"), "-t", join(dir, "out.wat"),
    ], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] }); // not in root: asc would read its asconfig.json
    return [...readFileSync(join(dir, "out.wat"), "utf8").matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("@cold functions", () => {
  it("are not inlined into their one caller; unmarked, the same function is", () => {
    const body = (mark: string) => `
let total: i32 = 0;
${mark}function rarely(x: i32): void {
  for (let i = 0; i < x; i++) total += i * x;
}
export function often(x: i32): i32 {
  if (x > 1000) rarely(x);
  return total;
}
`;
    const marked = functionsOf(body("// @cold: runs only for large x\n"));
    const plain = functionsOf(body(""));
    expect(marked.some((name) => name.endsWith("/rarely"))).toBe(true);
    expect(plain.some((name) => name.endsWith("/rarely"))).toBe(false);
    expect(plain.some((name) => name.endsWith("/often"))).toBe(true);
  }, 60_000);

  it("each stays a function of its own in the token module", () => {
    const wat = readFileSync(join(root, "build", "totpkey.wat"), "utf8");
    const functions = new Set([...wat.matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]));
    const marked = sourcesUnder(join(root, "assembly"))
      .filter((path) => !path.includes(`${join("assembly", "testkit")}`))
      .flatMap((path) => {
        const internal = relative(root, path).replace(/\.ts$/, "").split("\\").join("/");
        return [...readFileSync(path, "utf8").matchAll(MARKED)].map((m) => `${internal}/${m[1]}`);
      });
    expect(marked.length).toBeGreaterThan(10);
    expect(marked.filter((name) => !functions.has(name))).toEqual([]);
    // Every comment line that says @cold is a mark the transform picks up (none sits a line too far
    // from its function, or above something else).
    const markLines = sourcesUnder(join(root, "assembly"))
      .filter((path) => !path.includes(`${join("assembly", "testkit")}`))
      .flatMap((path) => readFileSync(path, "utf8").split("\n").filter((line) => /^\s*\/\/.*@cold\b/.test(line)));
    expect(markLines.length).toBe(marked.length);
  });
});
