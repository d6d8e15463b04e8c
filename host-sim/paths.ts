// Where the built module lives, found the same way from host-sim/ (tests) and dist/host-sim/ (bin).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("totpkey: package.json not found above host-sim");
    dir = parent;
  }
  return dir;
}

export type ModuleBuild = "release" | "debug" | `testkit-${string}`;

function fileForBuild(build: ModuleBuild): string {
  if (build === "release") return "totpkey.wasm";
  if (build === "debug") return "totpkey.debug.wasm";
  return `${build}.wasm`; // test modules: build/testkit-<layer>.wasm from assembly/testkit/<layer>.ts
}

/** The bytes of a built module; a one-line error naming the fix when it was not built. */
export function readModule(build: ModuleBuild = "release"): Uint8Array {
  const path = join(packageRoot(), "build", fileForBuild(build));
  if (!existsSync(path)) throw new Error(`totpkey: ${path} is missing; run 'npm run build'`);
  return new Uint8Array(readFileSync(path));
}
