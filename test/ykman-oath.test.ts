// Acceptance with a real client: ykman (yubikey-manager) drives the simulated token through pcscd
// and vsmartcard's vpcd, exactly as it drives a YubiKey. Codes are checked against oathtool at the
// same instant. Needs root for pcscd (as CI runs); fails loudly when a tool is missing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCard, ykman, oathtool, CardFixture, expectOk, accountLabel as label, YkmanAccount as Account } from "./ykman-kit.js";

/** Each ykman run starts Python and scans the card: 1-2 s, more on a loaded machine. */
const YKMAN_TEST_MS = 240_000;

const SECRET_A = "JBSWY3DPEHPK3PXP"; // 10 bytes
const SECRET_B = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // 20 bytes
const SECRET_C = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPJQWEY3EMVTGO2DJNJVWY3LOKNSXG5DVO53XQ6L2MFRGGZDFMZTWQ2LK"; // 60 bytes

const ACCOUNTS: Account[] = [
  { issuer: "Alpha", name: "sha1-6-30", secret: SECRET_A, algorithm: "SHA1", digits: 6, periodSeconds: 30 },
  { issuer: "Beta", name: "sha256-8-60", secret: SECRET_B, algorithm: "SHA256", digits: 8, periodSeconds: 60 },
  { issuer: "Gamma", name: "sha512-8-30", secret: SECRET_C, algorithm: "SHA512", digits: 8, periodSeconds: 30 },
  { issuer: "Delta", name: "sha512-6-60", secret: SECRET_B, algorithm: "SHA512", digits: 6, periodSeconds: 60 },
  { issuer: "Epsilon", name: "sha256-6-30", secret: SECRET_A, algorithm: "SHA256", digits: 6, periodSeconds: 30 },
];


/** Parses `ykman oath accounts code` output: "label   code" lines. */
function parseCodes(output: string): Map<string, string> {
  const codes = new Map<string, string>();
  for (const line of output.split("\n")) {
    const match = /^(.*\S)\s+(\d{6,8}|\[HOTP Account\]|\[Requires Touch\])$/.exec(line.trim());
    if (match) codes.set(match[1], match[2]);
  }
  return codes;
}

/** Runs `code` until the run stays inside one step of every period, so oathtool at its start time
 *  is the same instant ykman asked about. */
async function codesAtOneInstant(...extra: string[]): Promise<{ codes: Map<string, string>; unixSeconds: number }> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const start = Math.floor(Date.now() / 1000);
    const output = expectOk(await ykman("oath", "accounts", "code", ...extra));
    const end = Math.floor(Date.now() / 1000);
    if (Math.floor(start / 30) === Math.floor(end / 30) && Math.floor(start / 60) === Math.floor(end / 60)) {
      return { codes: parseCodes(output), unixSeconds: start };
    }
  }
  throw new Error("could not run ykman inside one time step");
}

let card: CardFixture;

beforeAll(async () => {
  card = await startCard();
}, 60_000);

afterAll(async () => {
  await card?.stop();
});

describe("ykman oath against the simulated token over PC/SC", { timeout: YKMAN_TEST_MS }, () => {
  it("sees the OATH applet", async () => {
    const info = expectOk(await ykman("oath", "info"));
    expect(info).toContain("OATH version: 5.4.3");
    expect(info).toContain("Password protection: disabled");
  });

  it("adds TOTP accounts (SHA1, SHA256, SHA512; 6 and 8 digits; periods 30 and 60), HOTP and touch; lists them", async () => {
    for (const a of ACCOUNTS) {
      expectOk(await ykman("oath", "accounts", "add", "-f", "-i", a.issuer, "-a", a.algorithm, "-d", String(a.digits),
        "-P", String(a.periodSeconds), a.name, a.secret));
    }
    expectOk(await ykman("oath", "accounts", "add", "-f", "-o", "HOTP", "-c", "7", "-i", "Counter", "hotp-acct", SECRET_B));
    expectOk(await ykman("oath", "accounts", "add", "-f", "-t", "-i", "Touchy", "touch-acct", SECRET_A));
    const listed = expectOk(await ykman("oath", "accounts", "list")).trim().split("\n").sort();
    expect(listed).toEqual([...ACCOUNTS.map(label), "Counter:hotp-acct", "Touchy:touch-acct"].sort());
  });

  it("code: every TOTP account equals oathtool at the same instant; HOTP and touch wait for a single match", async () => {
    const { codes, unixSeconds } = await codesAtOneInstant();
    for (const a of ACCOUNTS) {
      const expected = await oathtool({ base32: a.secret, algorithm: a.algorithm, digits: a.digits, periodSeconds: a.periodSeconds, unixSeconds });
      expect(codes.get(label(a)), label(a)).toBe(expected);
    }
    expect(codes.get("Counter:hotp-acct")).toBe("[HOTP Account]");
    expect(codes.get("Touchy:touch-acct")).toBe("[Requires Touch]");
  });

  it("HOTP: single-match code gives oathtool's codes for counters 7 then 8", async () => {
    for (const counter of [7, 8]) {
      const output = expectOk(await ykman("oath", "accounts", "code", "-s", "hotp-acct"));
      expect(output.trim()).toBe(await oathtool({ base32: SECRET_B, counter }));
    }
  });

  it("touch: the code comes after a press of OK on the token", async () => {
    const pressesBefore = card.presses();
    const start = Math.floor(Date.now() / 1000);
    const output = expectOk(await ykman("oath", "accounts", "code", "-s", "touch-acct"));
    expect(card.presses()).toBe(pressesBefore + 1);
    const end = Math.floor(Date.now() / 1000);
    const candidates = new Set([await oathtool({ base32: SECRET_A, unixSeconds: start }), await oathtool({ base32: SECRET_A, unixSeconds: end })]);
    expect(candidates).toContain(output.trim());
  });

  it("renames and deletes", async () => {
    expectOk(await ykman("oath", "accounts", "rename", "-f", "sha1-6-30", "Omega:renamed"));
    expectOk(await ykman("oath", "accounts", "delete", "-f", "sha256-6-30"));
    const listed = expectOk(await ykman("oath", "accounts", "list"));
    expect(listed).toContain("Omega:renamed");
    expect(listed).not.toContain("Alpha:sha1-6-30");
    expect(listed).not.toContain("Epsilon:sha256-6-30");
    const { codes, unixSeconds } = await codesAtOneInstant();
    expect(codes.get("Omega:renamed")).toBe(await oathtool({ base32: SECRET_A, unixSeconds }));
  });

  it("access change sets a password: commands fail without it and work with --password", async () => {
    expectOk(await ykman("oath", "access", "change", "-n", "hunter2-correct"));
    expect(expectOk(await ykman("oath", "info"))).toContain("Password protection: enabled");
    const locked = await ykman("oath", "accounts", "list");
    expect(locked.code).not.toBe(0);
    const wrong = await ykman("oath", "accounts", "list", "-p", "not-it");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/Authentication to the YubiKey failed/);
    expect(expectOk(await ykman("oath", "accounts", "list", "-p", "hunter2-correct"))).toContain("Omega:renamed");
    const { codes, unixSeconds } = await codesAtOneInstant("-p", "hunter2-correct");
    const beta = ACCOUNTS[1];
    expect(codes.get(label(beta))).toBe(await oathtool({ base32: beta.secret, algorithm: beta.algorithm, digits: beta.digits, periodSeconds: beta.periodSeconds, unixSeconds }));
    expectOk(await ykman("oath", "accounts", "add", "-f", "-p", "hunter2-correct", "late", SECRET_A));
    expect(expectOk(await ykman("oath", "accounts", "list", "-p", "hunter2-correct"))).toContain("late");
  });

  it("oath reset (--force) removes every account and the password", async () => {
    expectOk(await ykman("oath", "reset", "-f"));
    const info = expectOk(await ykman("oath", "info"));
    expect(info).toContain("Password protection: disabled");
    expect(expectOk(await ykman("oath", "accounts", "list")).trim()).toBe("");
  });
});
