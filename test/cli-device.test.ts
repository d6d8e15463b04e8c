// `totpkey time|device|settings|access ...` end to end against the real module in the simulator.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Secret } from "otpauth";
import { newToken, oathtool, runCli } from "./fixtures-cli/harness.js";
import { BUTTON_OK } from "../host-sim/token.js";
import { COMMANDS } from "../cli/main.js";
import { openTransport, TransportKind } from "../cli/device.js";
import type { Transport } from "../cli/transport/transport.js";

const randomSecret = () => new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer as ArrayBuffer }).base32;

describe("time", () => {
  it("shows the offset and warns past 2 s; sync brings it back", async () => {
    const sim = newToken(-5); // the token's RTC runs 5 s behind true time
    const shown = await runCli(sim, ["time", "show", "--json"]);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ offsetSeconds: -5, calibrationSamples: 0 });
    expect(shown.stderr).toBe("warning: the token is off by 5 s; run 'totpkey time sync'\n");
    const text = await runCli(sim, ["time", "show"]);
    expect(text.stdout).toMatch(/^offset: +5 s behind this computer$/m);
    const synced = await runCli(sim, ["time", "sync"]);
    expect(synced.status, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/^synced: the token was 5 s behind this computer; now in step$/m);
    const after = await runCli(sim, ["time", "show", "--json"]);
    expect(JSON.parse(after.stdout).offsetSeconds).toBe(0);
    expect(after.stderr).toBe("");
  });

  it("a token 1 s off gives no warning", async () => {
    const sim = newToken(1);
    const shown = await runCli(sim, ["time", "show"]);
    expect(shown.stdout).toMatch(/1 s ahead of this computer/);
    expect(shown.stderr).toBe("");
  });

  it("a backward jump waits for a press of OK; without it nothing changes", async () => {
    const sim = newToken(7200); // two hours fast
    const unconfirmed = await runCli(sim, ["time", "sync"]);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/press OK on the token to accept/);
    expect(unconfirmed.stderr).toMatch(/not confirmed on the token/);
    let pressed = false;
    const confirmed = await runCli(sim, ["time", "sync", "--json"], {
      onSleep: (s) => { if (!pressed) { pressed = true; s.token.press(BUTTON_OK); } },
    });
    expect(confirmed.status, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ previousOffsetSeconds: 7200, offsetSeconds: 0 });
  });

  it("reports a token without valid time", async () => {
    const sim = newToken(null);
    const shown = await runCli(sim, ["time", "show"]);
    expect(shown.stdout).toMatch(/token time: not set/);
    expect(shown.stderr).toMatch(/no valid time/);
    expect((await runCli(sim, ["time", "sync"])).status).toBe(0);
    expect(JSON.parse((await runCli(sim, ["time", "show", "--json"])).stdout).offsetSeconds).toBe(0);
  });
});

describe("device", () => {
  it("info shows versions and slot counts", async () => {
    const sim = newToken();
    await runCli(sim, ["accounts", "add", "a", randomSecret()]);
    const info = JSON.parse((await runCli(sim, ["device", "info", "--json"])).stdout);
    expect(info).toMatchObject({ passwordSet: false, moduleVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/), slotsUsed: 1, slotsFree: 99, host: "host-sim 0.1.0" });
    expect(info.moduleSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.storeUsedBytes).toBeLessThanOrEqual(info.storeCapacityBytes);
  });

  it("reset asks, then waits for a press on the token, then the token is empty", async () => {
    const sim = newToken();
    await runCli(sim, ["accounts", "add", "a", randomSecret()]);
    await runCli(sim, ["settings", "set", "layout", "de"]);
    const declined = await runCli(sim, ["device", "reset"], { answers: ["no"] });
    expect(declined.status).toBe(1);
    expect(JSON.parse((await runCli(sim, ["accounts", "list", "--json"])).stdout)).toHaveLength(1);
    const noPress = await runCli(sim, ["device", "reset", "-f"]);
    expect(noPress.status).toBe(1);
    expect(JSON.parse((await runCli(sim, ["accounts", "list", "--json"])).stdout)).toHaveLength(1);
    const reset = await runCli(sim, ["device", "reset"], { answers: ["y"], onDeferred: (token) => token.press(BUTTON_OK) });
    expect(reset.status, reset.stderr).toBe(0);
    expect(reset.stderr).toMatch(/press OK on the token/);
    expect(JSON.parse((await runCli(sim, ["accounts", "list", "--json"])).stdout)).toEqual([]);
    expect((await runCli(sim, ["settings", "get", "layout"])).stdout).toBe("us\n");
  });
});

describe("settings", () => {
  it("lists defaults, sets and reads back each setting, refuses bad values", async () => {
    const sim = newToken();
    expect(JSON.parse((await runCli(sim, ["settings", "list", "--json"])).stdout)).toEqual({
      layout: "us", typing: "keypad", "after-code": "none", "display-timeout": "30 s", "typing-pace": "10 ms",
    });
    for (const [name, value, shown] of [["layout", "fr", "fr"], ["typing", "top-row", "top-row"], ["after-code", "tab", "tab"],
      ["display-timeout", "120", "120 s"], ["typing-pace", "25", "25 ms"]]) {
      const set = await runCli(sim, ["settings", "set", name, value]);
      expect(set.status, set.stderr).toBe(0);
      expect((await runCli(sim, ["settings", "get", name])).stdout).toBe(`${shown}\n`);
    }
    expect((await runCli(sim, ["settings", "set", "layout", "klingon"])).stderr).toMatch(/'klingon' is not one of us, uk, de/);
    expect((await runCli(sim, ["settings", "set", "typing-pace", "5000"])).stderr).toMatch(/5000 is out of range \(1-1000\)/);
    const unknown = await runCli(sim, ["settings", "set", "colour", "red"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown setting 'colour'/);
  });
});

describe("access", () => {
  it("sets a password; commands then need it; a wrong one is refused; it can be changed and cleared", async () => {
    const sim = newToken();
    const secret = randomSecret();
    await runCli(sim, ["accounts", "add", "Locked:me", secret]);
    const set = await runCli(sim, ["access", "change"], { answers: ["hunter2", "hunter2"] });
    expect(set.status, set.stderr).toBe(0);
    expect(set.prompts.every((prompt) => prompt.hidden)).toBe(true);
    const locked = await runCli(sim, ["accounts", "list"], { answers: [null] });
    expect(locked.status).toBe(1);
    expect(locked.stderr).toMatch(/has an access password: type it at the prompt or set TOTPKEY_PASSWORD/);
    const prompted = await runCli(sim, ["accounts", "list", "--json"], { answers: ["hunter2"] });
    expect(prompted.status, prompted.stderr).toBe(0);
    expect(prompted.prompts).toEqual([{ text: "Password (hidden): ", hidden: true }]);
    expect(JSON.parse(prompted.stdout)).toHaveLength(1);
    expect((await runCli(sim, ["accounts", "list", "-p", "wrong"])).stderr).toMatch(/wrong password/);
    const code = await runCli(sim, ["accounts", "code", "Locked", "--password", "hunter2", "--json"]);
    expect(JSON.parse(code.stdout)[0].code).toBe(oathtool(["--totp", "-b", secret, "--now", `@${Math.floor(sim.nowSeconds())}`]));
    // Both applets are unlocked by the same password (slot list and settings come from the extension).
    const viaEnv = await runCli(sim, ["accounts", "list", "--json"], { env: { TOTPKEY_PASSWORD: "hunter2" } });
    expect(JSON.parse(viaEnv.stdout)[0]).toMatchObject({ slot: 0, name: "Locked:me" });
    expect((await runCli(sim, ["settings", "set", "layout", "uk", "-p", "hunter2"])).status).toBe(0);
    const mismatch = await runCli(sim, ["access", "change", "-p", "hunter2"], { answers: ["a", "b"] });
    expect(mismatch.stderr).toMatch(/the two passwords differ/);
    expect((await runCli(sim, ["access", "change", "-p", "hunter2", "--new-password", "correct horse"])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "list", "-p", "hunter2"])).stderr).toMatch(/wrong password/);
    expect((await runCli(sim, ["device", "info", "--json", "-p", "correct horse"])).stdout).toMatch(/"passwordSet": true/);
    expect((await runCli(sim, ["access", "change", "--clear", "-p", "correct horse"])).status).toBe(0);
    expect((await runCli(sim, ["accounts", "list"])).status).toBe(0);
  });
});

describe("the command line", () => {
  it("every command has --help with usage and examples, on stdout, exit 0", async () => {
    for (const command of COMMANDS) {
      const help = await runCli(null, [command.noun, command.verb, "--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: totpkey ${command.noun} ${command.verb}`));
      expect(help.stdout).toMatch(/\nexamples:\n  totpkey /);
      expect(command.examples.length).toBeGreaterThan(0);
      expect(help.stderr).toBe("");
    }
    expect((await runCli(null, ["--help"])).stdout).toMatch(/accounts add\|import\|list\|code\|delete\|rename\|move/);
    expect((await runCli(null, ["accounts"])).status).toBe(2);
  });

  it("bad usage is one line on stderr with exit status 2", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command \(commands: accounts, /],
      [["accounts", "frob"], /unknown accounts command \(accounts: add, /],
      [["accounts", "list", "--colour"], /unknown option --colour/],
      [["accounts", "delete"], /missing QUERY/],
      [["accounts", "move", "a"], /missing SLOT/],
      [["accounts", "list", "a", "b"], /unexpected argument 2 \(this command takes at most 1\)/],
      [["accounts", "add", "x", "--digits"], /--digits needs a value/],
      [["accounts", "add", "x", "--hotp", "--period", "60"], /--period is for TOTP/],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(newToken(), argv);
      expect(result.status, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stdout).toBe("");
    }
  });

  it("without a token: a one-line error naming what to do", async () => {
    const result = await runCli(null, ["accounts", "list"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("totpkey: error: no token found: start the simulator (totpkey-sim) or plug a token in\n");
  });
});

describe("device selection", () => {
  const opened: string[] = [];
  const kind = (name: string, found: string[], failure?: string): TransportKind => ({
    kind: name,
    detect: async () => { if (failure) throw new Error(failure); return found; },
    open: async (target) => {
      opened.push(`${name}:${target}`);
      return { description: `${name}:${target}`, transmit: async () => new Uint8Array([0x90, 0]), close: async () => {} } as Transport;
    },
  });

  it("uses the only token found, refuses several, explains none, and honours --device", async () => {
    expect((await openTransport(undefined, [kind("sim", ["/s"]), kind("pcsc", [])], {})).description).toBe("sim:/s");
    await expect(openTransport(undefined, [kind("sim", ["/s"]), kind("pcsc", ["Reader A"])], {}))
      .rejects.toThrow("several tokens found (sim:/s, pcsc:Reader A); choose one with --device");
    await expect(openTransport(undefined, [kind("sim", []), kind("pcsc", [], "pcscd is not running")], {}))
      .rejects.toThrow("no token found: start the simulator (totpkey-sim) or plug a token in (pcsc: pcscd is not running)");
    expect((await openTransport("pcsc:Reader B", [kind("sim", ["/s"]), kind("pcsc", ["Reader A"])], {})).description).toBe("pcsc:Reader B");
    expect((await openTransport("HID", [kind("hid", [])], {})).description).toBe("hid:undefined");
    await expect(openTransport("usb", [kind("sim", [])], {})).rejects.toThrow("unknown device kind 'usb' (use sim)");
  });
});
