// Cross-check against an independent implementation: the OATH Toolkit's `oathtool` binary
// (installed by scripts/setup-system.sh). A missing binary fails the test, never skips it.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { CryptoKit } from "./crypto-kit.js";

const kit = new CryptoKit();
const NAMES = ["sha1", "sha256", "sha512"] as const;

function oathtool(args: string[]): string {
  try {
    return execFileSync("oathtool", args, { encoding: "utf8" }).trim();
  } catch (error) {
    throw new Error(`oathtool ${args.join(" ")} failed (missing? run 'bash scripts/setup-system.sh'): ${(error as Error).message}`);
  }
}

const pad = (code: bigint, digits: number): string => code.toString().padStart(digits, "0");

describe("oathtool cross-check", () => {
  it("the binary is present", () => {
    expect(oathtool(["--version"])).toMatch(/^oathtool \(OATH Toolkit\)/);
  });

  it("HOTP: random keys, counters and 6..8 digits, a window of codes each", () => {
    for (let round = 0; round < 6; round++) {
      const key = randomBytes(10 + round * 7);
      const counter = BigInt(round) * 1_000_003n + 17n;
      const digits = 6 + (round % 3);
      const window = 4;
      const theirs = oathtool(["--hotp", `--digits=${digits}`, `--counter=${counter}`, `--window=${window}`, key.toString("hex")]).split("\n");
      expect(kit.prepare(1, key)).toBe(0);
      const ours = Array.from({ length: window + 1 }, (_, i) => pad(kit.hotp(counter + BigInt(i), digits), digits));
      expect(ours).toEqual(theirs);
    }
  });

  it("TOTP: SHA-1/256/512, periods 30, 60 and 17 s, times before and after 2038", () => {
    const times = [1n, 1700000000n, 2147483647n, 2147483648n, 4294967296n, 20000000000n];
    for (const [index, name] of NAMES.entries()) {
      const algorithm = index + 1;
      const key = randomBytes([20, 32, 64][index]);
      expect(kit.prepare(algorithm, key)).toBe(0);
      for (const period of [30, 60, 17]) {
        for (const time of times) {
          const digits = 6 + Number(time % 3n);
          const theirs = oathtool([`--totp=${name}`, `--digits=${digits}`, `--time-step-size=${period}s`, `--now=@${time}`, key.toString("hex")]);
          expect(pad(kit.totp(time, period, digits), digits), `${name} period ${period} T ${time}`).toBe(theirs);
        }
      }
    }
  });

  it("base32 secrets as typed in authenticator apps (oathtool -b)", () => {
    // 'JBSWY3DPEHPK3PXP' is the usual example secret; its bytes are the base32 decoding.
    const secret = "JBSWY3DPEHPK3PXP";
    const key = Buffer.from("48656c6c6f21deadbeef", "hex");
    expect(kit.prepare(1, key)).toBe(0);
    expect(pad(kit.totp(1700000000n, 30, 6), 6)).toBe(oathtool(["--totp", "-b", "--now=@1700000000", secret]));
  });
});
