// The CLI's transports: the simulator's Unix socket (through the real bin in a child process), the
// HID framing (against a simulated HID device that frames as the firmware does), and PC/SC
// through pcscd and vpcd.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { Secret } from "otpauth";
import { Token, BUTTON_OK } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import { serveSocket, defaultSocketPath as simSocketPath, SocketServer } from "../host-sim/socket.js";
import { serveVpcd } from "../host-sim/vpcd.js";
import { defaultSocketPath } from "../cli/transport/socket.js";
import { encodeFrames, FrameAssembler, HidDevice, HidTransport, FRAME_COMMAND_APDU, FRAME_COMMAND_ERROR } from "../cli/transport/hid.js";
import { OathSession } from "../cli/oath.js";
import { makeCredential } from "../cli/parse/credential.js";
import { oathtool } from "./fixtures-cli/harness.js";
import { packageRoot } from "../host-sim/paths.js";
import { ensurePcscd, takeVpcdLock } from "./pcscd-kit.js";

const randomSecret = () => new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer as ArrayBuffer }).base32;

function runBin(args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const bin = join(packageRoot(), "bin", "totpkey.mjs");
  if (!existsSync(join(packageRoot(), "dist", "cli", "main.js"))) throw new Error("dist/cli is missing: run 'npm run build'");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => (stdout += data));
    child.stderr.on("data", (data) => (stderr += data));
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (status) => { clearTimeout(timer); resolve({ status: status ?? -1, stdout, stderr }); });
  });
}

describe("simulator socket, through the real bin", () => {
  let dir: string;
  let server: SocketServer;
  let token: Token;
  let presses = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "totpkey-cli-"));
    token = new Token({ clock: new SimClock(Math.floor(Date.now() / 1000)) });
    server = await serveSocket(token, join(dir, "sim.sock"), {
      driveClock: true,
      onDeferred: () => setTimeout(() => { presses++; token.press(BUTTON_OK); }, 50),
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the socket where totpkey-sim puts it", () => {
    expect(defaultSocketPath(process.env)).toBe(simSocketPath());
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/totpkey/sim.sock");
  });

  it("adds, lists, computes codes (touch included) and deletes; data on stdout, messages on stderr", async () => {
    const device = ["--device", `sim:${server.path}`];
    const secret = randomSecret();
    const added = await runBin([...device, "accounts", "add", "Sock:et", secret, "--touch", "--digits", "8"]);
    expect(added).toMatchObject({ status: 0, stdout: "" });
    expect(added.stderr).toMatch(/^warning: the SECRET argument on the command line can be read by other users[^\n]*\nadded 'Sock:et'\n$/);
    // The device from the environment (auto-detection would also see other tests' PC/SC cards).
    const listed = await runBin(["accounts", "list", "--json"], { TOTPKEY_DEVICE: `sim:${server.path}` });
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ slot: 0, name: "Sock:et", digits: 8, touch: true })]);
    const before = Math.floor(Date.now() / 1000);
    const code = await runBin([...device, "accounts", "code", "Sock"]);
    const after = Math.floor(Date.now() / 1000);
    expect(code.status, code.stderr).toBe(0);
    expect(code.stderr).toMatch(/press OK/);
    expect(presses).toBeGreaterThan(0);
    const expected = [before, after].map((t) => `Sock:et  ${oathtool(["--totp", "-d", "8", "-b", secret, "--now", `@${t}`])}\n`);
    expect(expected).toContain(code.stdout);
    const refused = await runBin([...device, "accounts", "delete", "Sock"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/use --force/);
    expect((await runBin([...device, "accounts", "delete", "Sock", "-f"])).status).toBe(0);
    expect((await runBin([...device, "accounts", "list", "--json"])).stdout).toBe("[]\n");
    const bad = await runBin([...device, "accounts", "add", "x", "0000"]);
    expect(bad).toMatchObject({ status: 1, stdout: "" });
    expect(bad.stderr).toMatch(/\ntotpkey: error: base32: invalid character at position 1 \(base32 uses only A-Z and 2-7\)\n$/);
  });

  it("names the problem when the simulator is not running", async () => {
    const result = await runBin(["--device", `sim:${join(dir, "absent.sock")}`, "device", "info"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot connect to the simulator at .*absent.sock: ENOENT \(is totpkey-sim running\?\)/);
  });
});

/** A HID device that frames as boards/rp2040/usb_hid.c does, with the simulated token behind it. */
function simulatedHidDevice(token: Token): HidDevice & { writes: number } {
  const replies: Uint8Array[] = [];
  const assembler = new FrameAssembler();
  const device = {
    writes: 0,
    async write(data: number[] | Buffer) {
      device.writes++;
      const bytes = Uint8Array.from(data as number[]);
      expect(bytes[0]).toBe(0); // no report id
      expect(bytes.length).toBe(65);
      const message = assembler.push(bytes.subarray(1));
      if (message) {
        expect(message.command).toBe(FRAME_COMMAND_APDU);
        let response = token.apdu(message.payload);
        while (response === null) { token.advance(10); response = token.responses.at(-1)!; }
        replies.push(...encodeFrames(response, FRAME_COMMAND_APDU));
      }
      return data.length;
    },
    async read() {
      return replies.length ? Buffer.from(replies.shift()!) : undefined;
    },
    async close() {},
  };
  return device;
}

describe("HID framing", () => {
  it("splits and reassembles messages of every size across frame boundaries", () => {
    for (const length of [1, 60, 61, 62, 124, 125, 126, 300, 4105]) {
      const payload = new Uint8Array(randomBytes(length));
      const frames = encodeFrames(payload);
      expect(frames.every((frame) => frame.length === 64)).toBe(true);
      expect(frames.length).toBe(1 + Math.ceil(Math.max(0, length - 61) / 63));
      expect(frames[0][0]).toBe(0x81);
      frames.slice(1).forEach((frame, index) => expect(frame[0]).toBe(index));
      const assembler = new FrameAssembler();
      const results = frames.map((frame) => assembler.push(frame));
      expect(results.slice(0, -1).every((result) => result === null)).toBe(true);
      expect(results.at(-1)).toEqual({ command: FRAME_COMMAND_APDU, payload });
    }
    const assembler = new FrameAssembler();
    const frames = encodeFrames(new Uint8Array(200));
    assembler.push(frames[0]);
    expect(() => assembler.push(frames[2])).toThrow(/out of sequence/);
    expect(() => encodeFrames(new Uint8Array(0))).toThrow(/cannot frame 0 bytes/);
  });

  it("drives the YKOATH applet through the framing, long LIST replies included", async () => {
    const token = new Token({ clock: new SimClock(1_800_000_000) });
    const device = simulatedHidDevice(token);
    const oath = new OathSession(HidTransport.fromDevice(device, "simulated HID"));
    await oath.select();
    for (let i = 0; i < 20; i++) {
      await oath.put(makeCredential({ issuer: "Issuer with a long name", account: `account-${i}@example.com`, secret: new Uint8Array(randomBytes(64)), algorithm: "SHA512" }));
    }
    const listed = await oath.list();
    expect(listed).toHaveLength(20);
    expect(device.writes).toBeGreaterThan(40); // each PUT of ~110 bytes takes two frames
  });

  it("reports a framing error from the token", async () => {
    const errorFrame = encodeFrames(new Uint8Array([0x04]), FRAME_COMMAND_ERROR)[0];
    const device: HidDevice = { write: async (data) => data.length, read: async () => Buffer.from(errorFrame), close: async () => {} };
    await expect(HidTransport.fromDevice(device, "x").transmit(new Uint8Array([0, 0xa4, 4, 0]))).rejects.toThrow("HID: the token reported busy");
  });
});

// PC/SC: pcscd with the vpcd driver; the simulated token is the card in vpcd's second reader
// (port 35964), so the ykman acceptance tests can keep the first at the same time.
const VPCD_SECOND_PORT = 35964;

describe("PC/SC through pcscd and vpcd", () => {
  it("lists and computes codes with --device pcsc:'Virtual PCD 00 01'", async () => {
    try {
      createRequire(import.meta.url)("pcsclite");
    } catch (error) {
      throw new Error(`the pcsclite addon did not build (${(error as Error).message.split("\n")[0]}): run 'bash scripts/setup-system.sh' (libpcsclite-dev), then 'npm ci'`);
    }
    const unlock = await takeVpcdLock(VPCD_SECOND_PORT, 120_000);
    try {
      await ensurePcscd(); // test/pcscd-kit.ts: starting pcscd needs root
    } catch (error) {
      unlock();
      throw error;
    }
    const token = new Token({ clock: new SimClock(Math.floor(Date.now() / 1000)) });
    const bridge = serveVpcd(token, VPCD_SECOND_PORT, { driveClock: true });
    try {
      await bridge.connected();
      const device = ["--device", "pcsc:Virtual PCD 00 01"];
      const secret = randomSecret();
      let added = await runBin([...device, "accounts", "add", "Smart:card", secret, "-a", "SHA256"]);
      for (let attempt = 0; added.status !== 0 && /no PC\/SC reader/.test(added.stderr) && attempt < 20; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500)); // pcscd sees the card a moment later
        added = await runBin([...device, "accounts", "add", "Smart:card", secret, "-a", "SHA256"]);
      }
      expect(added.status, added.stderr).toBe(0);
      const before = Math.floor(Date.now() / 1000);
      const code = await runBin([...device, "accounts", "code", "--json"]);
      const after = Math.floor(Date.now() / 1000);
      expect(code.status, code.stderr).toBe(0);
      const expected = [before, after].map((t) => oathtool(["--totp=SHA256", "-b", secret, "--now", `@${t}`]));
      expect(expected).toContain(JSON.parse(code.stdout)[0].code);
      const info = JSON.parse((await runBin([...device, "device", "info", "--json"])).stdout);
      expect(info).toMatchObject({ transport: "PC/SC reader 'Virtual PCD 00 01'", slotsUsed: 1 });
    } finally {
      await bridge.close();
      unlock();
    }
  });
});
