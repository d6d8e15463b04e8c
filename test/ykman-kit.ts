// Fixtures for the acceptance tests with real PC/SC clients: pcscd with vsmartcard's vpcd driver
// (test/pcscd-kit.ts; starting pcscd needs root), the simulated token or the emulated board connected
// to it as a card, and async runners for ykman and oathtool (async: the bridge answers APDUs on this process's event loop).
import { spawn, execFileSync } from "node:child_process";
import { expect } from "vitest";
import { Token, BUTTON_OK } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import { serveVpcd, VpcdBridge, VPCD_DEFAULT_PORT } from "../host-sim/vpcd.js";
import { ensurePcscd, pcscdAnswers, requirePcscdTools, takeVpcdLock } from "./pcscd-kit.js";
import { EmulatedToken } from "../emulator/token.js";
import { serveVpcdEmulated } from "../emulator/vpcd-bridge.js";

export const READER = "Virtual PCD 00 00";

/** Fails loudly, naming the fix, when a tool the acceptance tests need is missing. */
export function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" });
    } catch {
      throw new Error(`${tool} is not installed: run 'bash scripts/setup-system.sh' (packages pcscd, vsmartcard-vpcd, yubikey-manager, oathtool)`);
    }
  }
  requirePcscdTools();
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a terminal or stdin (a prompt fails instead of waiting). */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function ykman(...args: string[]): Promise<RunResult> {
  return run("ykman", ["--reader", READER, ...args]);
}

/** A run's stdout, after failing the test (with ykman's output) when it did not exit 0. */
export function expectOk(result: RunResult): string {
  expect(result.code, `ykman failed: ${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A TOTP account as `ykman oath accounts add` takes it. */
export interface YkmanAccount {
  issuer: string;
  name: string;
  secret: string;
  algorithm: "SHA1" | "SHA256" | "SHA512";
  digits: 6 | 8;
  periodSeconds: 30 | 60;
}

/** The label ykman lists for an account: the period prefix only when it is not 30 s. */
export const accountLabel = (a: YkmanAccount): string => (a.periodSeconds === 30 ? "" : `${a.periodSeconds}/`) + `${a.issuer}:${a.name}`;

/** oathtool's code at `unixSeconds` (TOTP) or for `counter` (HOTP), from the base32 secret. */
export async function oathtool(options: { base32: string; algorithm?: string; digits?: number; periodSeconds?: number;
  unixSeconds?: number; counter?: number }): Promise<string> {
  const args = ["-b", "-d", String(options.digits ?? 6)];
  if (options.counter !== undefined) args.push("--hotp", "-c", String(options.counter));
  else {
    args.push(`--totp=${(options.algorithm ?? "sha1").toLowerCase()}`, "-s", `${options.periodSeconds ?? 30}s`, "-N", `@${options.unixSeconds}`);
  }
  const result = await run("oathtool", [...args, options.base32]);
  if (result.code !== 0) throw new Error(`oathtool failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface CardFixture {
  token: Token;
  bridge: VpcdBridge;
  /** How many presses of OK the fixture gave (one per command that waited for one). */
  presses: () => number;
  stop(): Promise<void>;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

// `pcscd --auto-exit` may leave between ensurePcscd() and the first ykman run (its 60 s without a
// client ran out just then, or a concurrent start lost the race): start it again while waiting.
async function keepPcscd(): Promise<void> {
  if (!(await pcscdAnswers())) await ensurePcscd();
}

/**
 * Makes sure pcscd runs (test/pcscd-kit.ts: ensurePcscd), connects a fresh
 * simulated token to its vpcd reader, and waits until ykman sees the OATH applet. Commands that
 * wait for a press get one after `pressDelayMs`.
 */
export async function startCard(pressDelayMs = 300): Promise<CardFixture> {
  requireTools("pcscd", "ykman", "oathtool");
  const unlock = await takeVpcdLock(VPCD_DEFAULT_PORT);
  try {
    await ensurePcscd();
  } catch (error) {
    unlock();
    throw error;
  }
  const token = new Token({ clock: new SimClock(Math.floor(Date.now() / 1000)) });
  let presses = 0;
  const bridge = serveVpcd(token, VPCD_DEFAULT_PORT, {
    driveClock: true,
    onDeferred: () => {
      setTimeout(() => {
        presses++;
        token.press(BUTTON_OK);
      }, pressDelayMs);
    },
  });
  const stop = async (): Promise<void> => {
    await bridge.close();
    unlock(); // pcscd exits by itself once no client is left
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const info = await ykman("oath", "info");
      if (info.code === 0 && info.stdout.includes("OATH version")) break;
      if (Date.now() > deadline) {
        throw new Error(`the simulated card did not appear in PC/SC: ${info.stdout}${info.stderr}`);
      }
      await sleep(300);
      await keepPcscd();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { token, bridge, presses: () => presses, stop };
}

export interface EmulatedCardFixture {
  token: EmulatedToken;
  bridge: VpcdBridge;
  stop(): Promise<void>;
}

/**
 * The emulated RP2040 board (emulator/token.ts, the firmware image in rp2040js) as the card on
 * pcscd's vpcd reader, through emulator/vpcd-bridge.ts; its DS3231 holds the computer's time. Waits
 * until ykman sees the OATH applet.
 */
export async function startEmulatedCard(): Promise<EmulatedCardFixture> {
  requireTools("pcscd", "ykman", "oathtool");
  const unlock = await takeVpcdLock(VPCD_DEFAULT_PORT);
  let bridge: VpcdBridge | null = null;
  const stop = async (): Promise<void> => {
    await bridge?.close();
    unlock(); // pcscd exits by itself once no client is left
  };
  try {
    await ensurePcscd();
    const token = new EmulatedToken({ rtcSeconds: Math.floor(Date.now() / 1000) });
    bridge = serveVpcdEmulated(token, VPCD_DEFAULT_PORT);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const info = await ykman("oath", "info");
      if (info.code === 0 && info.stdout.includes("OATH version")) break;
      if (Date.now() > deadline) throw new Error(`the emulated board did not appear in PC/SC: ${info.stdout}${info.stderr}`);
      await sleep(300);
      await keepPcscd();
    }
    return { token, bridge, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Parses `ykman oath accounts code` output: "label   code" lines. */
export function parseYkmanCodes(output: string): Map<string, string> {
  const codes = new Map<string, string>();
  for (const line of output.split("\n")) {
    const match = /^(.*\S)\s+(\d{6,8}|\[HOTP Account\]|\[Requires Touch\])$/.exec(line.trim());
    if (match) codes.set(match[1], match[2]);
  }
  return codes;
}
