// The firmware end to end in rp2040js: the module under wasm3 on the emulated RP2040, provisioned
// through the CLI's HID transport, typing codes over the USB keyboard, keeping its store across a
// reboot and a power cut, drawing on the SSD1306. Codes are checked against oathtool.
import { describe, expect, it, vi } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EmulatedToken } from "../emulator/token.js";
import { packageRoot } from "../host-sim/paths.js";
import { frameToText } from "../host-sim/display.js";
import { DEMO_CREDENTIAL, SETTING_TYPING_MODE, TYPING_MODE_KEYPAD, TYPING_MODE_TOP_ROW, flashWith } from "../host-sim/flash-writer.js";
import { HidTransport } from "../cli/transport/hid.js";
import { CcidClient, ccidMessage } from "../emulator/usb-client.js";
import type { Transport } from "../cli/transport/transport.js";
import { openSession } from "../cli/device.js";
import type { Credential } from "../cli/parse/credential.js";
import { oathtoolTotp, T0 } from "./ui-support.js";

// Emulating the firmware is slow on a loaded 2-core machine: generous limits, no timing asserted.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const BUTTON_OK = 2;

function cliTransport(token: EmulatedToken): Transport {
  const construct = HidTransport as unknown as new (device: unknown, description: string) => HidTransport;
  return new construct(token.hidDevice(), "emulated rp2040");
}

/** The RTC's time now (the DS3231 model runs with emulated time). */
function rtcNow(token: EmulatedToken): number {
  const seconds = token.board.rtc.timeSeconds();
  if (seconds === null) throw new Error("RTC has no time");
  return seconds;
}

const CREDENTIAL: Credential = {
  type: "totp", issuer: "Example", account: "alice@example.com", secret: new TextEncoder().encode("12345678901234567890"),
  algorithm: "SHA1", digits: 6, periodSeconds: 30, counter: 0, touch: false,
};

describe("the module on the emulated board", () => {
  it("reports the SHA-256 of the embedded module at boot and initialises it", () => {
    const token = new EmulatedToken({ rtcSeconds: T0 });
    const module = readFileSync(join(packageRoot(), "build", "totpkey.wasm"));
    const digest = createHash("sha256").update(module).digest("hex");
    expect(token.board.uartText).toContain(`module sha256 ${digest}`);
    expect(token.board.uartText).toMatch(/module init ok/);
    expect(token.board.uartText).not.toMatch(/module (stopped|panic|load failed)/);
  });

  for (const [modeName, mode] of [["keypad", TYPING_MODE_KEYPAD], ["top-row", TYPING_MODE_TOP_ROW]] as const) {
    it(`types the oathtool code at the emulated time when OK is pressed (${modeName})`, () => {
      const flash = flashWith([DEMO_CREDENTIAL], [[SETTING_TYPING_MODE, mode]]);
      const token = new EmulatedToken({ flash, rtcSeconds: T0 });
      token.run(200);
      const when = rtcNow(token);
      token.press(BUTTON_OK);
      expect(token.runUntil(() => token.typed.length >= 6 && !token.keyboard.keysHeld, 3000)).toBe(true);
      expect(token.typed).toBe(oathtoolTotp(DEMO_CREDENTIAL.secret, when));
      expect(token.keyboard.numLock).toBe(true); // restored after keypad typing
    });
  }

  it("shows the selected slot's name on the display", () => {
    const token = new EmulatedToken({ flash: flashWith([DEMO_CREDENTIAL]), rtcSeconds: T0 });
    token.run(300);
    expect(token.board.display.displayOn).toBe(true);
    const text = frameToText({ pixels: token.board.display.frame(64), widthPx: 128, heightPx: 64 }).join("\n");
    expect(text).toContain("demo@totpkey");
  });
});

describe("entropy", () => {
  it("with a stuck ring oscillator, random_fill gives up (no hang) and the token still works", async () => {
    const token = new EmulatedToken({ rtcSeconds: T0, entropySeed: null });
    expect(token.board.uartText).toMatch(/module init (ok|failed)/);
    const session = await openSession(cliTransport(token), undefined);
    const put = session.oath.put(CREDENTIAL).then(() => "stored", (error: Error) => `refused: ${error.message}`);
    expect(await put).toBe("stored"); // a PUT needs no random bytes; the salt record does
    expect(Array.isArray(await session.oath.list())).toBe(true);
  });
});

describe("provisioning through the CLI's HID transport", () => {
  it("puts a credential, computes its code like oathtool, and keeps it across a reboot", async () => {
    const first = new EmulatedToken({ rtcSeconds: T0 });
    const session = await openSession(cliTransport(first), undefined);
    const name = await session.oath.put(CREDENTIAL);
    const listed = await session.oath.list();
    expect(listed.map((entry) => entry.name)).toContain(name);
    const credential = listed.find((entry) => entry.name === name)!;
    const when = T0 + 100;
    const result = await session.oath.calculate(credential, when);
    expect(result).toMatchObject({ kind: "code", code: oathtoolTotp(CREDENTIAL.secret, when) });

    // Every flash write went through the bootrom routines with XIP exited first, from RAM.
    const calls = first.board.romCalls.join(",");
    expect(calls).toMatch(/connect,exit-xip,(program|erase) [0-9a-f]+ \d+,flush/);
    expect(calls).not.toContain("without exit-xip");
    for (const call of first.board.romCalls.filter((c) => /^(program|erase) /.test(c))) {
      expect(parseInt(call.split(" ")[1], 16)).toBeGreaterThanOrEqual(0x1f0000); // only the store region
    }

    const second = new EmulatedToken({ flash: first.board.flash, rtcSeconds: T0 });
    const again = await openSession(cliTransport(second), undefined);
    expect((await again.oath.list()).map((entry) => entry.name)).toContain(name);
  });

  it("a power cut in the middle of provisioning leaves a store that mounts and answers", async () => {
    const token = new EmulatedToken({ rtcSeconds: T0 });
    const session = await openSession(cliTransport(token), undefined);
    await session.oath.put({ ...CREDENTIAL, account: "kept@example.com" });
    token.board.flash.armPowerCut(0, "torn", 7); // the PUT's first flash operation
    await expect(session.oath.put({ ...CREDENTIAL, account: "cut@example.com" })).rejects.toThrow();
    expect(token.board.halted).toBe("power-cut");

    token.board.flash.powerOn();
    const rebooted = new EmulatedToken({ flash: token.board.flash, rtcSeconds: T0 });
    expect(rebooted.board.uartText).toMatch(/module init ok/);
    const after = await openSession(cliTransport(rebooted), undefined);
    const names = (await after.oath.list()).map((entry) => entry.name);
    expect(names).toContain("Example:kept@example.com");
    // The interrupted PUT either landed whole or not at all; the store takes new writes.
    await after.oath.put({ ...CREDENTIAL, account: "after@example.com" });
    expect((await after.oath.list()).map((entry) => entry.name)).toContain("Example:after@example.com");
  });
});

describe("a command that waits for a press on the token", () => {
  it("keeps the CCID host waiting with time extensions until OK is pressed, then answers", async () => {
    const token = new EmulatedToken({ rtcSeconds: T0 });
    const session = await openSession(cliTransport(token), undefined);
    const name = await session.oath.put({ ...CREDENTIAL, account: "touch@example.com", touch: true });
    const ccid = new CcidClient(token.usb);
    ccid.powerOn();
    const select = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01);
    expect(ccid.transmit(select).at(-2)).toBe(0x90);
    const nameBytes = [...new TextEncoder().encode(name)];
    const when = T0 + 60;
    const counter = Math.floor(when / 30);
    const challenge = [0, 0, 0, 0, (counter >>> 24) & 0xff, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff];
    const calculate = Uint8Array.from([0x00, 0xa2, 0x00, 0x01, 2 + nameBytes.length + 10, 0x71, nameBytes.length, ...nameBytes, 0x74, 8, ...challenge]);
    // The press comes 1.2 s into the wait, from inside the emulation.
    token.board.schedule(1_200_000, () => token.board.setButton(BUTTON_OK, true));
    token.board.schedule(1_300_000, () => token.board.setButton(BUTTON_OK, false));
    if (!token.usb.sendOut(2, ccidMessage(0x6f, 0x21, calculate))) throw new Error("CCID message not taken");
    let extensions = 0;
    let reply = ccid.readReply(3_000_000);
    while ((reply.status & 0xc0) === 0x80) {
      extensions++;
      expect(reply.sequence).toBe(0x21);
      reply = ccid.readReply(3_000_000);
    }
    expect(extensions).toBeGreaterThanOrEqual(2); // every 500 ms while waiting
    expect(reply.type).toBe(0x80);
    expect(reply.sequence).toBe(0x21);
    const response = reply.data;
    expect([...response.subarray(response.length - 2)]).toEqual([0x90, 0x00]);
    // 76 len 05 digits code(4): the truncated code, which must be oathtool's.
    const truncated = response.subarray(3, 7);
    const value = new DataView(truncated.buffer, truncated.byteOffset, 4).getUint32(0) & 0x7fffffff;
    expect(String(value % 10 ** response[2]).padStart(response[2], "0")).toBe(oathtoolTotp(CREDENTIAL.secret, when));
  });
});
