// The built module against its documented contract: exactly the ABI's exports, only the ABI's
// imports; and every built module (release, debug, each testkit) without floating point (the board's
// wasm3 is built without it) or memory.grow, the release module without an allocator (one fixed
// page, nothing allocated after init). Each check has a positive control.
import { describe, expect, it } from "vitest";
import binaryen from "binaryen";
import { ABI_EXPORTS, ABI_IMPORTS } from "../host-sim/abi.js";
import { readModule } from "../host-sim/paths.js";
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { packageRoot } from "../host-sim/paths.js";

const release = readModule("release");
const buildDir = join(packageRoot(), "build");
/** Every module the build wrote: release, debug and one test module per assembly/testkit/ entry. */
const builtModules = readdirSync(buildDir).filter((f) => f.endsWith(".wasm")).sort();
const testkitEntries = readdirSync(join(packageRoot(), "assembly", "testkit")).filter((f) => f.endsWith(".ts"));

function textOf(bytes: Uint8Array): string {
  const parsed = binaryen.readBinary(bytes);
  try {
    return parsed.emitText();
  } finally {
    parsed.dispose();
  }
}

// What the rules forbid, found in a module's text (binaryen's rendering of the binary).
const FLOAT = /\bf(32|64)\b|\bf(32|64)\./g;
const MEMORY_GROW = /\bmemory\.grow\b/g;
// The runtime's allocator (stub, tlsf or itcms) and its entry points: none may be in the release
// module, so nothing can allocate after init (static data and start-time constants only).
const ALLOCATOR = /\$~lib\/rt\/(stub|tlsf|itcms|tcms)\/|\$(~lib\/rt\/[a-z]+\/)?__(new|alloc|renew|realloc|pin|collect)\b/g;

function forbidden(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[0]);
}

describe("every built module (release, debug, each testkit)", () => {
  it("the build holds release, debug and one test module per assembly/testkit/ entry", () => {
    const expected = ["totpkey.wasm", "totpkey.debug.wasm", ...testkitEntries.map((f) => `testkit-${basename(f, ".ts")}.wasm`)];
    expect(builtModules).toEqual(expect.arrayContaining(expected));
    expect(testkitEntries.length).toBeGreaterThan(0);
  });

  for (const file of builtModules) {
    it(`${file}: no f32/f64 type or instruction, no memory.grow`, () => {
      const text = textOf(new Uint8Array(readFileSync(join(buildDir, file))));
      expect(text).toContain("(module");
      expect(forbidden(text, FLOAT), `${file}: floats`).toEqual([]);
      expect(forbidden(text, MEMORY_GROW), `${file}: memory.grow`).toEqual([]);
    });
  }

  it("recognises a float, a memory.grow and an allocator when present (the checks can fail)", () => {
    const withForbidden = new binaryen.Module();
    withForbidden.setMemory(1, 1);
    withForbidden.addFunction("f", binaryen.createType([binaryen.f64]), binaryen.f64, [], withForbidden.local.get(0, binaryen.f64));
    withForbidden.addFunction("~lib/rt/stub/__alloc", binaryen.createType([binaryen.i32]), binaryen.i32, [],
      withForbidden.memory.grow(withForbidden.local.get(0, binaryen.i32)));
    withForbidden.addFunctionExport("f", "f");
    withForbidden.addFunctionExport("~lib/rt/stub/__alloc", "a");
    // Through the binary (no name section: like the release module, names are then not in it).
    const fromBinary = textOf(withForbidden.emitBinary());
    expect(forbidden(fromBinary, FLOAT).length).toBeGreaterThan(0);
    expect(forbidden(fromBinary, MEMORY_GROW).length).toBeGreaterThan(0);
    // With names (what asc writes to build/totpkey.wat).
    const named = withForbidden.emitText();
    withForbidden.dispose();
    expect(forbidden(named, ALLOCATOR)).toContain("$~lib/rt/stub/");
    expect(forbidden("(func $~lib/rt/itcms/__new (param $0 i32)", ALLOCATOR)).toEqual(["$~lib/rt/itcms/"]);
    expect(forbidden("call $__alloc", ALLOCATOR)).toEqual(["$__alloc"]);
    expect(forbidden("call $~lib/rt/common/__new", ALLOCATOR)).toEqual(["$~lib/rt/common/__new"]);
  });
});

describe("release module", () => {
  const compiled = new WebAssembly.Module(Uint8Array.from(release));

  it("exports exactly the documented ABI and its memory", () => {
    const exported = WebAssembly.Module.exports(compiled).map((e) => `${e.kind}:${e.name}`).sort();
    const documented = [...ABI_EXPORTS.map((name) => `function:${name}`), "memory:memory"].sort();
    expect(exported).toEqual(documented);
  });

  it("imports only documented functions from module 'host'", () => {
    for (const imported of WebAssembly.Module.imports(compiled)) {
      expect(imported.module).toBe("host");
      expect(imported.kind).toBe("function");
      expect(ABI_IMPORTS as readonly string[]).toContain(imported.name);
    }
  });

  it("documents every ABI import and export in docs/SPEC.md", () => {
    const spec = readFileSync(join(packageRoot(), "docs", "SPEC.md"), "utf8");
    for (const name of [...ABI_IMPORTS, ...ABI_EXPORTS]) expect(spec).toContain(`\`${name}\``);
  });

  it("holds no allocator from ~lib/rt (build/totpkey.wat, the same asc run, has the names)", () => {
    const wat = readFileSync(join(buildDir, "totpkey.wat"), "utf8");
    // The text file belongs to this binary: same count of functions (defined plus imported).
    const parsed = binaryen.readBinary(release);
    const binaryFunctions = parsed.getNumFunctions();
    parsed.dispose();
    expect((wat.match(/^ \(func \$/gm) ?? []).length + (wat.match(/^ \(import .*\(func /gm) ?? []).length).toBe(binaryFunctions);
    expect(forbidden(wat, ALLOCATOR)).toEqual([]);
    expect(forbidden(wat, MEMORY_GROW)).toEqual([]);
  });

  it("boots on the simulated host: init accepts the Pico geometry", async () => {
    const { Token } = await import("../host-sim/token.js");
    expect(new Token().initStatus).toBe(0);
  });

  it("init refuses a geometry the store cannot use", async () => {
    const { Token } = await import("../host-sim/token.js");
    expect(new Token({ regionBytes: 4096 }).initStatus).toBeLessThan(0);
    expect(new Token({ regionOffset: 100 }).initStatus).toBeLessThan(0);
  });
});
