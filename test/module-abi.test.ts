// The built module against its documented contract: exactly the ABI's exports, only the ABI's
// imports, no floating point anywhere (the board's wasm3 is built without it).
import { describe, expect, it } from "vitest";
import binaryen from "binaryen";
import { ABI_EXPORTS, ABI_IMPORTS } from "../host-sim/abi.js";
import { readModule } from "../host-sim/paths.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../host-sim/paths.js";

const release = readModule("release");

function textOf(bytes: Uint8Array): string {
  const parsed = binaryen.readBinary(bytes);
  try {
    return parsed.emitText();
  } finally {
    parsed.dispose();
  }
}

describe("release module", () => {
  const compiled = new WebAssembly.Module(release);

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

  it("contains no f32/f64 type or instruction", () => {
    for (const build of ["release", "debug", "testkit-crypto"] as const) {
      const text = textOf(readModule(build));
      expect(text).toContain("(module");
      expect(text.match(/\bf(32|64)\b|\bf(32|64)\./g), `${build} module`).toBeNull();
    }
  });

  it("recognises a float when one is present (the check can fail)", () => {
    const withFloat = new binaryen.Module();
    withFloat.addFunction("f", binaryen.createType([binaryen.f64]), binaryen.f64, [], withFloat.local.get(0, binaryen.f64));
    withFloat.addFunctionExport("f", "f");
    const text = textOf(withFloat.emitBinary());
    withFloat.dispose();
    expect(text).toMatch(/\bf64\b/);
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
