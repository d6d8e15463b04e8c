// host-sim/module-constants.ts against the module's sources: every value the hosts use must be the
// one the AssemblyScript code declares (read from its `export const NAME: u32 = value;` lines, with
// one level of aliasing such as ALG_SHA1 = HASH_SHA1 resolved through the other files).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as hostConstants from "../host-sim/module-constants.js";

const MODULE_SOURCES = [
  "assembly/store/settings-ids.ts",
  "assembly/store/index.ts",
  "assembly/store/format.ts",
  "assembly/otp/index.ts",
  "assembly/crypto/hash.ts",
  "assembly/ui/typing.ts",
];

/** NAME -> the right-hand side text of `export const NAME: <int type> = <rhs>;`. */
function declaredConstants(): Map<string, string> {
  const declared = new Map<string, string>();
  const line = /^export const ([A-Z][A-Z0-9_]*)\s*:\s*(?:u8|u16|u32|i32|usize)\s*=\s*([^;]+);/gm;
  for (const path of MODULE_SOURCES) {
    for (const match of readFileSync(path, "utf8").matchAll(line)) declared.set(match[1], match[2].trim());
  }
  return declared;
}

function resolve(declared: Map<string, string>, name: string, depth = 0): number | undefined {
  const rhs = declared.get(name);
  if (rhs === undefined || depth > 4) return undefined;
  const literal = rhs.replace(/_/g, "");
  if (/^(0x[0-9a-f]+|\d+)$/i.test(literal)) return Number(literal);
  if (/^[A-Z][A-Z0-9_]*$/.test(rhs)) return resolve(declared, rhs, depth + 1);
  return undefined;
}

describe("host-side module constants", () => {
  const declared = declaredConstants();

  it("the sources' declarations are found (the regex still matches the code's style)", () => {
    expect(declared.get("SETTING_KEYBOARD_LAYOUT")).toBe("1");
    expect(declared.has("STORE_STATIC_BYTES")).toBe(true); // assembly/store/index.ts is read
    expect(declared.size).toBeGreaterThan(30);
  });

  for (const [name, value] of Object.entries(hostConstants)) {
    it(`${name} equals the module's value`, () => {
      expect(declared.has(name), `${name} is not declared in ${MODULE_SOURCES.join(", ")}`).toBe(true);
      expect(resolve(declared, name)).toBe(value);
    });
  }

  it("every setting and blob id of assembly/store/settings-ids.ts is exported to the hosts", () => {
    const source = readFileSync("assembly/store/settings-ids.ts", "utf8");
    const ids = [...source.matchAll(/^export const ((?:SETTING|BLOB)_[A-Z0-9_]+)\s*:/gm)].map((match) => match[1])
      .filter((name) => name !== "SETTING_ID_LIMIT");
    expect(ids.length).toBeGreaterThan(0);
    for (const name of ids) expect(Object.keys(hostConstants), name).toContain(name);
  });
});
