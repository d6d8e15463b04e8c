// Fixtures for the acceptance tests with real PC/SC clients: pcscd with vsmartcard's vpcd driver
// (started here, stopped after), the simulated token connected to it as a card, and async runners
// for ykman and oathtool (async: the bridge answers APDUs on this process's event loop).
import { spawn, ChildProcess, execFileSync } from "node:child_process";
import { createConnection } from "node:net";
import { existsSync, openSync, closeSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { Token, BUTTON_OK } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import { serveVpcd, VpcdBridge, VPCD_DEFAULT_PORT } from "../host-sim/vpcd.js";

export const READER = "Virtual PCD 00 00";
const PCSCD_SOCKET = "/run/pcscd/pcscd.comm";

/** Fails loudly, naming the fix, when a tool the acceptance tests need is missing. */
export function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" });
    } catch {
      throw new Error(`${tool} is not installed: run 'bash scripts/setup-system.sh' (packages pcscd, vsmartcard-vpcd, yubikey-manager, oathtool)`);
    }
  }
  if (!existsSync("/usr/lib/pcsc/drivers/serial/libifdvpcd.so") && !existsSync("/etc/reader.conf.d/vpcd")) {
    throw new Error("vsmartcard-vpcd is not installed: run 'bash scripts/setup-system.sh'");
  }
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

// One card on vpcd's first reader at a time across processes (two test runs on one machine would
// both connect to port 35963): a lock file holding the owner's pid, taken over when that pid is gone.
const LOCK_PATH = "/tmp/totpkey-vpcd-35963.lock";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function takeVpcdLock(timeoutMs = 300_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(LOCK_PATH, { force: true });
    } catch {
      const owner = Number(readFileSync(LOCK_PATH, { encoding: "utf8", flag: "a+" }));
      if (!Number.isInteger(owner) || owner <= 0 || !processAlive(owner)) rmSync(LOCK_PATH, { force: true });
      else if (Date.now() > deadline) throw new Error(`vpcd port 35963 stays locked by pid ${owner} (${LOCK_PATH})`);
      else await sleep(500);
    }
  }
}

/** Whether a pcscd is running (its socket accepts a connection; a stale socket file does not). */
function pcscdAnswers(): Promise<boolean> {
  if (!existsSync(PCSCD_SOCKET)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createConnection(PCSCD_SOCKET);
    probe.once("connect", () => { probe.destroy(); resolve(true); });
    probe.once("error", () => resolve(false));
  });
}

/** Whether some card is connected to a vpcd port (pcscd's side of an established TCP connection). */
function vpcdCardConnected(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 3 && fields[1].endsWith(`:${hexPort}`) && fields[3] === "01") return true;
    }
  }
  return false;
}

/**
 * Starts pcscd (unless one is already running: then it is used and left alone), connects a fresh
 * simulated token to its vpcd reader, and waits until ykman sees the OATH applet. Commands that
 * wait for a press get one after `pressDelayMs`.
 */
export async function startCard(pressDelayMs = 300): Promise<CardFixture> {
  requireTools("pcscd", "ykman", "oathtool");
  const unlock = await takeVpcdLock();
  let pcscd: ChildProcess | null = null;
  let pcscdLog = "";
  if (!(await pcscdAnswers())) {
    pcscd = spawn("pcscd", ["--foreground"], { stdio: ["ignore", "pipe", "pipe"] });
    pcscd.stdout!.on("data", (d) => (pcscdLog += d));
    pcscd.stderr!.on("data", (d) => (pcscdLog += d));
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
    if (pcscd !== null && pcscd.exitCode === null) {
      // Another test may have borrowed our pcscd for vpcd's second reader: let it finish first.
      for (let waited = 0; waited < 30_000 && vpcdCardConnected(VPCD_DEFAULT_PORT + 1); waited += 250) await sleep(250);
      const exited = new Promise((resolve) => pcscd!.once("exit", resolve));
      pcscd.kill("SIGTERM");
      await exited;
    }
    unlock();
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const info = await ykman("oath", "info");
      if (info.code === 0 && info.stdout.includes("OATH version")) break;
      if (Date.now() > deadline) {
        throw new Error(`the simulated card did not appear in PC/SC: ${info.stdout}${info.stderr}\npcscd: ${pcscdLog}`);
      }
      await sleep(300);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { token, bridge, presses: () => presses, stop };
}
