// ykman against the emulated RP2040 board through the real pcscd: the firmware image in rp2040js,
// its CCID interface bridged to vsmartcard's vpcd (emulator/vpcd-bridge.ts), ykman (yubikey-manager)
// adding, listing and computing codes exactly as it does with a YubiKey. Codes are oathtool's at the
// instant ykman asked; OK on the board types oathtool's code at the board's own (DS3231) time. Needs
// root for pcscd (as CI runs); fails loudly when pcscd, vpcd, ykman or oathtool is missing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatedCardFixture, YkmanAccount, accountLabel as label, expectOk, oathtool, parseYkmanCodes, startEmulatedCard, ykman } from "./ykman-kit.js";

const YKMAN_TEST_MS = 240_000;
const BUTTON_OK = 2;

const ACCOUNTS: readonly YkmanAccount[] = [
  { issuer: "Alpha", name: "sha1-6-30", secret: "JBSWY3DPEHPK3PXP", algorithm: "SHA1", digits: 6, periodSeconds: 30 },
  { issuer: "Beta", name: "sha256-8-60", secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", algorithm: "SHA256", digits: 8, periodSeconds: 60 },
  { issuer: "Gamma", name: "sha512-8-30", secret: "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPJQWEY3EMVTGO2DJNJVWY3LOKNSXG5DVO53XQ6L2MFRGGZDFMZTWQ2LK", algorithm: "SHA512", digits: 8, periodSeconds: 30 },
];

let card: EmulatedCardFixture;

beforeAll(async () => {
  card = await startEmulatedCard();
}, 120_000);

afterAll(async () => {
  await card?.stop();
});

describe("ykman oath against the emulated board over pcscd and vpcd", { timeout: YKMAN_TEST_MS }, () => {
  it("sees the OATH applet", async () => {
    const info = expectOk(await ykman("oath", "info"));
    expect(info).toContain("OATH version: 5.4.3");
    expect(info).toContain("Password protection: disabled");
  });

  it("adds TOTP accounts (SHA1, SHA256, SHA512; 6 and 8 digits; periods 30 and 60) and lists them", async () => {
    for (const a of ACCOUNTS) {
      expectOk(await ykman("oath", "accounts", "add", "-f", "-i", a.issuer, "-a", a.algorithm, "-d", String(a.digits),
        "-P", String(a.periodSeconds), a.name, a.secret));
    }
    const listed = expectOk(await ykman("oath", "accounts", "list")).trim().split("\n").sort();
    expect(listed).toEqual(ACCOUNTS.map(label).sort());
  });

  it("code: every account equals oathtool at the instant ykman asked", async () => {
    for (let attempt = 0; ; attempt++) {
      const start = Math.floor(Date.now() / 1000);
      const output = expectOk(await ykman("oath", "accounts", "code"));
      const end = Math.floor(Date.now() / 1000);
      if (Math.floor(start / 30) !== Math.floor(end / 30) || Math.floor(start / 60) !== Math.floor(end / 60)) {
        expect(attempt, "ykman runs inside one time step").toBeLessThan(3);
        continue;
      }
      const codes = parseYkmanCodes(output);
      for (const a of ACCOUNTS) {
        const expected = await oathtool({ base32: a.secret, algorithm: a.algorithm, digits: a.digits, periodSeconds: a.periodSeconds, unixSeconds: start });
        expect(codes.get(label(a)), label(a)).toBe(expected);
      }
      return;
    }
  });

  it("OK on the board types oathtool's code for the first account at the board's DS3231 time", async () => {
    const { token } = card;
    const typedBefore = token.typed.length;
    const boardSeconds = token.board.rtc.timeSeconds();
    expect(boardSeconds).not.toBeNull();
    token.press(BUTTON_OK);
    expect(token.runUntil(() => token.typed.length >= typedBefore + 6, 3_000)).toBe(true);
    const typed = token.typed.slice(typedBefore);
    const a = ACCOUNTS[0];
    const at = (seconds: number) => oathtool({ base32: a.secret, unixSeconds: seconds });
    // The press and the typing take a few hundred ms of board time: either side of a step boundary.
    expect([await at(boardSeconds!), await at(token.board.rtc.timeSeconds()!)]).toContain(typed);
  });
});
