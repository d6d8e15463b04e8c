// pcscd for the tests with real PC/SC clients (ykman's acceptance tests, the CLI's PC/SC transport):
// one way to start it, and one card per vpcd reader across processes. pcscd creates /run/pcscd,
// which needs root: these tests run as root (as `npm test` in the project's CI and containers does)
// or find a pcscd already running; otherwise they fail saying so.
import { execFileSync } from "node:child_process";
import { createConnection } from "node:net";
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";

export const PCSCD_SOCKET = "/run/pcscd/pcscd.comm";
const PCSCD_RUN_DIR = "/run/pcscd";

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fails loudly, naming the fix, when pcscd or vsmartcard's vpcd driver is missing. */
export function requirePcscdTools(): void {
  try {
    execFileSync("sh", ["-c", "command -v pcscd"], { stdio: "pipe" });
  } catch {
    throw new Error("pcscd is not installed: run 'bash scripts/setup-system.sh' (packages pcscd, vsmartcard-vpcd)");
  }
  if (!existsSync("/usr/lib/pcsc/drivers/serial/libifdvpcd.so") && !existsSync("/etc/reader.conf.d/vpcd")) {
    throw new Error("vsmartcard-vpcd is not installed: run 'bash scripts/setup-system.sh'");
  }
}

/** Whether a pcscd answers on its socket (a stale socket file does not). */
export function pcscdAnswers(): Promise<boolean> {
  if (!existsSync(PCSCD_SOCKET)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createConnection(PCSCD_SOCKET);
    probe.once("connect", () => { probe.destroy(); resolve(true); });
    probe.once("error", () => resolve(false));
  });
}

function mayCreateRunDir(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    accessSync(existsSync(PCSCD_RUN_DIR) ? PCSCD_RUN_DIR : "/run", constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Uses the pcscd that answers, or starts `pcscd --auto-exit`: it daemonizes and exits by itself 60 s
 * after its last client, so no test stops it under another one and nothing is left behind. Two
 * tests starting it at once is fine: the second start fails and the first daemon serves both.
 */
export async function ensurePcscd(timeoutMs = 10_000): Promise<void> {
  requirePcscdTools();
  if (await pcscdAnswers()) return;
  if (!mayCreateRunDir()) {
    throw new Error(`no pcscd is running, and starting one needs root (pcscd creates ${PCSCD_RUN_DIR}): ` +
      "run these tests as root, or start pcscd as root first");
  }
  let startError = "";
  try {
    execFileSync("pcscd", ["--auto-exit"], { stdio: "pipe" });
  } catch (error) {
    startError = String((error as { stderr?: Buffer }).stderr ?? error).trim(); // a concurrent start: see above
  }
  for (const deadline = Date.now() + timeoutMs; !(await pcscdAnswers()); await sleep(100)) {
    if (Date.now() > deadline) {
      throw new Error(`pcscd did not start within ${timeoutMs} ms (it needs root to create ${PCSCD_RUN_DIR})` +
        (startError ? `: ${startError}` : ""));
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One card on the vpcd reader at `port` at a time across processes (two test runs on one machine
 * would both connect to it): a lock file holding the owner's pid, taken over when that pid is gone.
 * Returns the unlock function.
 */
export async function takeVpcdLock(port: number, timeoutMs = 300_000): Promise<() => void> {
  const path = `/tmp/totpkey-vpcd-${port}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch {
      const text = readFileSync(path, { encoding: "utf8", flag: "a+" });
      if (text === "" && Date.now() - statSync(path).mtimeMs < 5_000) { await sleep(50); continue; } // being written
      const owner = Number(text);
      if (!Number.isInteger(owner) || owner <= 0 || !processAlive(owner)) rmSync(path, { force: true });
      else if (Date.now() > deadline) throw new Error(`vpcd port ${port} stays locked by pid ${owner} (${path})`);
      else await sleep(500);
    }
  }
}
