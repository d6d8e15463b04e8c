// `totpkey accounts ...` end to end: the CLI in-process against the real module in the simulator,
// codes cross-checked with oathtool (and the otpauth package where oathtool stops: 4 and 10 digits).
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { HOTP, Secret, TOTP } from "otpauth";
import { newToken, oathtool, runCli, SimulatedToken, withoutExtension } from "./fixtures-cli/harness.js";
import { BUTTON_OK } from "../host-sim/token.js";

const base32 = (bytes: Uint8Array) => new Secret({ buffer: bytes.slice().buffer as ArrayBuffer }).base32;
const randomSecret = (length = 20) => base32(new Uint8Array(randomBytes(length)));

async function listJson(sim: SimulatedToken) {
  const result = await runCli(sim, ["accounts", "list", "--json"]);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as { slot: number; name: string; type: string; algorithm: string; digits: number; periodSeconds: number | null; touch: boolean }[];
}

async function codeOf(sim: SimulatedToken, query: string, extra: Parameters<typeof runCli>[2] = {}) {
  const result = await runCli(sim, ["accounts", "code", query, "--json"], extra);
  expect(result.stderr).not.toMatch(/error/);
  expect(result.status).toBe(0);
  const rows = JSON.parse(result.stdout) as { name: string; code: string | null }[];
  expect(rows).toHaveLength(1);
  return rows[0].code;
}

describe("accounts add, list and code", () => {
  it("adds with every algorithm, 6 and 8 digits, 30 and 60 s periods; codes equal oathtool's", async () => {
    const sim = newToken();
    const cases = [
      { name: "A:sha1", algorithm: "SHA1", digits: 6, period: 30 },
      { name: "B:sha256", algorithm: "SHA256", digits: 8, period: 30 },
      { name: "C:sha512", algorithm: "SHA512", digits: 8, period: 60 },
      { name: "D:sha1-60", algorithm: "SHA1", digits: 7, period: 60 },
    ].map((entry) => ({ ...entry, secret: randomSecret(entry.algorithm === "SHA512" ? 64 : 32) }));
    for (const entry of cases) {
      const result = await runCli(sim, ["accounts", "add", entry.name, entry.secret, "-a", entry.algorithm, "--digits", String(entry.digits), "--period", String(entry.period)]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe("");
    }
    const listed = await listJson(sim);
    expect(listed.map((row) => [row.name, row.algorithm, row.digits, row.periodSeconds])).toEqual([
      ["A:sha1", "SHA1", 6, 30], ["B:sha256", "SHA256", 8, 30], ["60/C:sha512", "SHA512", 8, 60], ["60/D:sha1-60", "SHA1", 7, 60],
    ]);
    for (let step = 0; step < 3; step++) {
      sim.token.advance(17_000);
      const now = Math.floor(sim.nowSeconds());
      const all = JSON.parse((await runCli(sim, ["accounts", "code", "--json"])).stdout) as { name: string; code: string }[];
      for (const entry of cases) {
        const expected = oathtool([`--totp=${entry.algorithm}`, "-d", String(entry.digits), "-s", `${entry.period}s`, "-b", entry.secret, "--now", `@${now}`]);
        const name = entry.period === 30 ? entry.name : `60/${entry.name}`;
        expect(all.find((row) => row.name === name)?.code, name).toBe(expected);
      }
    }
  });

  it("handles 4 and 10 digits and long secrets (GitLab's 80 characters, AWS's 40 bytes, 128 bytes)", async () => {
    const sim = newToken();
    const gitlab = randomSecret(50);
    const aws = randomSecret(40);
    const huge = randomSecret(128);
    expect(gitlab).toHaveLength(80);
    expect((await runCli(sim, ["accounts", "add", "GitLab:dev", gitlab])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "add", "AWS:root", aws, "--digits", "10"])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "add", "Big:one", huge, "--digits", "4", "-a", "sha512", "--period", "90"])).status).toBe(0);
    const now = Math.floor(sim.nowSeconds());
    expect(await codeOf(sim, "GitLab:dev")).toBe(oathtool(["--totp", "-b", gitlab, "--now", `@${now}`]));
    const totp = (secret: string, digits: number, algorithm = "SHA1", period = 30) =>
      new TOTP({ secret: Secret.fromBase32(secret), digits, algorithm, period }).generate({ timestamp: now * 1000 });
    expect(await codeOf(sim, "AWS:root")).toBe(totp(aws, 10));
    expect(await codeOf(sim, "Big:one")).toBe(totp(huge, 4, "SHA512", 90));
    const listed = await listJson(sim);
    expect(listed.map((row) => [row.name, row.digits])).toEqual([["GitLab:dev", 6], ["AWS:root", 10], ["90/Big:one", 4]]);
  });

  it("prompts for a missing secret with hidden input, and refuses bad secrets writing nothing", async () => {
    const sim = newToken();
    const secret = randomSecret();
    const prompted = await runCli(sim, ["accounts", "add", "Prompted:me"], { answers: [secret.toLowerCase().replace(/(.{4})/g, "$1 ")] });
    expect(prompted.status, prompted.stderr).toBe(0);
    expect(prompted.prompts).toEqual([{ text: "Secret (base32, hidden): ", hidden: true }]);
    expect(prompted.stdout).toBe("");
    expect(await codeOf(sim, "Prompted")).toBe(oathtool(["--totp", "-b", secret, "--now", `@${Math.floor(sim.nowSeconds())}`]));

    const refusals: [string[], RegExp][] = [
      [["accounts", "add", "x", "ABC1DEFG"], /base32: invalid character at position 4 \(base32 uses only A-Z and 2-7\)/],
      [["accounts", "add", "x", "MZXW6YTBM"], /impossible length/],
      [["accounts", "add", "x", "MY=="], /multiple of 8/],
      [["accounts", "add", "x", randomSecret(), "--digits", "11"], /digits 11 is out of range \(4-10\)/],
      [["accounts", "add", "x", randomSecret(), "--period", "0"], /period 0 s is out of range/],
      [["accounts", "add", "x", randomSecret(), "-a", "md5"], /unknown algorithm 'md5'/],
      [["accounts", "add", "x", randomSecret(129)], /129 bytes; the token holds at most 128/],
      [["accounts", "add", "é".repeat(33), randomSecret()], /66 bytes in UTF-8; the token holds at most 64/],
      [["accounts", "add", "--uri", "otpauth://totp/x?issuer=y"], /secret parameter is missing/],
      [["accounts", "add", "--uri", `otpauth://totp/x?secret=${randomSecret()}&algorithm=SHA3`], /unknown algorithm 'SHA3'/],
      [["accounts", "add", "--uri", `otpauth://totp/x?secret=${randomSecret()}&digits=12`], /digits 12/],
      [["accounts", "add", "x", randomSecret(), "--slot", "100"], /slot 100 is out of range \(0-99\)/],
    ];
    for (const [argv, message] of refusals) {
      const result = await runCli(sim, argv);
      expect(result.status, argv.join(" ")).toBe(1);
      // A secret given as an argument (SECRET, --uri) draws a warning line first; then the error is one line.
      const lines = result.stderr.trim().split("\n").filter((line) => !/^warning: .* on the command line can be read by other users/.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/^totpkey: error: /);
      expect(result.stdout).toBe("");
    }
    const noAnswer = await runCli(sim, ["accounts", "add", "x"], { answers: [null] });
    expect(noAnswer.stderr).toMatch(/no secret given/);
    expect((await listJson(sim)).map((row) => row.name)).toEqual(["Prompted:me"]);
  });

  it("adds from --uri and from --qr (PNG and a Google export refused with a pointer to import)", async () => {
    const sim = newToken();
    const secret = randomSecret();
    const uri = `otpauth://totp/ACME%20Co:bob@example.com?secret=${secret}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`;
    expect((await runCli(sim, ["accounts", "add", "--uri", uri])).status).toBe(0);
    const png = new Uint8Array(await QRCode.toBuffer(`otpauth://hotp/Bank:me?secret=${secret}&counter=7`, { type: "png" }));
    const fromQr = await runCli(sim, ["accounts", "add", "--qr", "enrol.png", "--slot", "9", "--json"], { files: { "enrol.png": png } });
    expect(fromQr.status, fromQr.stderr).toBe(0);
    expect(JSON.parse(fromQr.stdout)).toEqual({ name: "Bank:me", slot: 9, type: "hotp" });
    const listed = await listJson(sim);
    expect(listed.map((row) => [row.slot, row.name, row.type, row.algorithm, row.digits])).toEqual([
      [0, "60/ACME Co:bob@example.com", "totp", "SHA256", 8], [9, "Bank:me", "hotp", "SHA1", 6],
    ]);
    const blank = new Uint8Array(await QRCode.toBuffer("https://example.com", { type: "png" }));
    const notOtp = await runCli(sim, ["accounts", "add", "--qr", "web.png"], { files: { "web.png": blank } });
    expect(notOtp.stderr).toMatch(/not an otpauth:\/\/ URI/);
    const migration = new Uint8Array(await QRCode.toBuffer("otpauth-migration://offline?data=CgA%3D", { type: "png" }));
    const ga = await runCli(sim, ["accounts", "add", "--qr", "ga.png"], { files: { "ga.png": migration } });
    expect(ga.stderr).toMatch(/Google Authenticator export; use 'totpkey accounts import IMAGE'/);
    const mixed = await runCli(sim, ["accounts", "add", "--uri", uri, "--digits", "6"]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/--digits comes from the URI/);
  });

  it("computes HOTP codes in sequence and touch codes after a press on the token", async () => {
    const sim = newToken();
    const secret = randomSecret();
    expect((await runCli(sim, ["accounts", "add", "Bank:me", secret, "--hotp", "--counter", "5"])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "add", "Vault:me", secret, "--touch"])).status).toBe(0);
    for (const counter of [5, 6, 7]) {
      expect(await codeOf(sim, "Bank")).toBe(oathtool(["--hotp", "-c", String(counter), "-b", secret]));
    }
    const all = JSON.parse((await runCli(sim, ["accounts", "code", "--json"])).stdout);
    expect(all).toEqual([
      expect.objectContaining({ name: "Bank:me", code: null, touchRequired: false }),
      expect.objectContaining({ name: "Vault:me", code: null, touchRequired: true }),
    ]);
    const plain = await runCli(sim, ["accounts", "code"]);
    expect(plain.stdout).toBe("Bank:me   [HOTP]\nVault:me  [touch required]\n");
    let presses = 0;
    const touched = await runCli(sim, ["accounts", "code", "Vault"], {
      onDeferred: (token) => { presses++; token.press(BUTTON_OK); },
    });
    expect(touched.status, touched.stderr).toBe(0);
    expect(presses).toBe(1);
    expect(touched.stderr).toMatch(/press OK/);
    expect(touched.stdout.trim()).toBe(`Vault:me  ${oathtool(["--totp", "-b", secret, "--now", `@${Math.floor(sim.nowSeconds())}`])}`);
    const timedOut = await runCli(sim, ["accounts", "code", "Vault"]);
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toMatch(/access denied|press/);
    const list = await listJson(sim);
    expect(list.find((row) => row.name === "Vault:me")?.touch).toBe(true);
  });
});

describe("accounts delete, rename, move", () => {
  async function withAccounts() {
    const sim = newToken();
    for (const name of ["GitHub:work", "GitHub:home", "Bank:me"]) {
      expect((await runCli(sim, ["accounts", "add", name, randomSecret(), ...(name === "Bank:me" ? ["--period", "60"] : [])])).status).toBe(0);
    }
    return sim;
  }

  it("deletes after a yes, keeps on a no or no answer, and deletes at once with -f", async () => {
    const sim = await withAccounts();
    const declined = await runCli(sim, ["accounts", "delete", "GitHub:work"], { answers: ["n"] });
    expect(declined.status).toBe(1);
    expect(declined.prompts[0].text).toMatch(/delete 'GitHub:work'\? .*\[y\/N\]/);
    const noInput = await runCli(sim, ["accounts", "delete", "GitHub:work"], { answers: [null] });
    expect(noInput.status).toBe(1);
    expect(noInput.stderr).toMatch(/use --force/);
    expect((await listJson(sim))).toHaveLength(3);
    const ambiguous = await runCli(sim, ["accounts", "delete", "github", "-f"]);
    expect(ambiguous.stderr).toMatch(/'github' matches 2 accounts \(GitHub:work, GitHub:home\); be more specific/);
    const missing = await runCli(sim, ["accounts", "delete", "nothing", "-f"]);
    expect(missing.stderr).toMatch(/no account matches 'nothing'/);
    expect((await runCli(sim, ["accounts", "delete", "work"], { answers: ["yes"] })).status).toBe(0);
    expect((await runCli(sim, ["accounts", "delete", "home", "--force", "--json"])).stdout).toBe('{\n  "deleted": "GitHub:home"\n}\n');
    expect((await listJson(sim)).map((row) => row.name)).toEqual(["60/Bank:me"]);
  });

  it("renames keeping the period prefix, and refuses clashes and long names", async () => {
    const sim = await withAccounts();
    expect((await runCli(sim, ["accounts", "rename", "Bank", "Savings:me", "-f"])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "rename", "GitHub:home", "GitHub:work", "-f"])).stderr).toMatch(/already exists/);
    expect((await runCli(sim, ["accounts", "rename", "home", "x".repeat(65), "-f"])).stderr).toMatch(/65 bytes/);
    const asked = await runCli(sim, ["accounts", "rename", "home", "Personal"], { answers: ["y"] });
    expect(asked.status).toBe(0);
    expect((await listJson(sim)).map((row) => row.name)).toEqual(["GitHub:work", "Personal", "60/Savings:me"]);
  });

  it("moves an account to a free slot and refuses an occupied one", async () => {
    const sim = await withAccounts();
    const moved = await runCli(sim, ["accounts", "move", "Bank", "42", "--json"]);
    expect(moved.status, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout)).toEqual({ name: "60/Bank:me", from: 2, to: 42 });
    expect((await runCli(sim, ["accounts", "move", "work", "42"])).stderr).toMatch(/slot 42 holds '60\/Bank:me'/);
    expect((await runCli(sim, ["accounts", "move", "work", "100"])).stderr).toMatch(/slot 100 is out of range/);
    expect((await listJson(sim)).map((row) => [row.slot, row.name])).toEqual([[0, "GitHub:work"], [1, "GitHub:home"], [42, "60/Bank:me"]]);
  });
});

describe("overwriting and YKOATH-only tokens", () => {
  it("asks before replacing an account of the same name or an occupied slot", async () => {
    const sim = newToken();
    const first = randomSecret();
    const second = randomSecret();
    await runCli(sim, ["accounts", "add", "Same:name", first]);
    const declined = await runCli(sim, ["accounts", "add", "Same:name", second], { answers: ["n"] });
    expect(declined.status).toBe(1);
    expect(declined.prompts[0].text).toMatch(/an account named 'Same:name' already exists; overwrite it\?/);
    const now = () => `@${Math.floor(sim.nowSeconds())}`;
    expect(await codeOf(sim, "Same:name")).toBe(oathtool(["--totp", "-b", first, "--now", now()]));
    expect((await runCli(sim, ["accounts", "add", "Same:name", second, "-f"])).status).toBe(0);
    expect(await codeOf(sim, "Same:name")).toBe(oathtool(["--totp", "-b", second, "--now", now()]));
    const slotTaken = await runCli(sim, ["accounts", "add", "Other", first, "--slot", "0"], { answers: ["y"] });
    expect(slotTaken.prompts[0].text).toMatch(/slot 0 holds 'Same:name'; overwrite it\?/);
    expect((await listJson(sim)).map((row) => [row.slot, row.name])).toEqual([[0, "Other"]]);
  });

  it("works with a token that has only YKOATH (like a YubiKey), and says what needs the totpkey applet", async () => {
    const sim = newToken();
    const options = { wrapTransport: withoutExtension };
    const secret = randomSecret();
    expect((await runCli(sim, ["accounts", "add", "Yubi:key", secret, "--digits", "8"], options)).status).toBe(0);
    const listed = await runCli(sim, ["accounts", "list"], options);
    expect(listed.stdout).toBe("SLOT  NAME      TYPE  ALGORITHM  DIGITS  PERIOD  TOUCH\n-     Yubi:key  TOTP  SHA1       -       30s     -\n");
    const code = JSON.parse((await runCli(sim, ["accounts", "code", "--json"], options)).stdout)[0].code;
    expect(code).toBe(oathtool(["--totp", "-d", "8", "-b", secret, "--now", `@${Math.floor(sim.nowSeconds())}`]));
    for (const argv of [["accounts", "add", "x", secret, "--digits", "10"], ["accounts", "add", "x", secret, "--slot", "3"],
      ["accounts", "move", "Yubi", "5"], ["time", "show"], ["settings", "list"]]) {
      const result = await runCli(sim, argv, options);
      expect(result.status, argv.join(" ")).toBe(1);
      expect(result.stderr).toMatch(/needs the totpkey applet, which this token does not have/);
    }
    const info = JSON.parse((await runCli(sim, ["device", "info", "--json"], options)).stdout);
    expect(info).toMatchObject({ transport: "YKOATH-only token", slotsUsed: 1, moduleVersion: null });
    expect((await runCli(sim, ["device", "reset", "-f"], options)).status).toBe(0);
    expect((await listJson(sim))).toEqual([]);
  });
});
