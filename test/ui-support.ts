// Shared pieces of the front-panel tests: the independent code oracles (node:crypto, oathtool), and
// a token session on a flash prepared through the store code.
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { SimClock } from "../host-sim/clock.js";
import { SimSession, SessionOptions } from "../host-sim/sim-session.js";
import { flashWith, Credential, DEMO_CREDENTIAL } from "../host-sim/flash-writer.js";

export const ALGORITHM_NAMES = { 1: "sha1", 2: "sha256", 3: "sha512" } as const;

/** RFC 4226/6238 from node:crypto's HMAC, written from the RFC text. */
export function oracleCode(secret: Uint8Array, counter: bigint, digits = 6, algorithm: 1 | 2 | 3 = 1): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(ALGORITHM_NAMES[algorithm], secret).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** digits).padStart(digits, "0");
}

export function oracleTotp(secret: Uint8Array, unixSeconds: number, digits = 6, periodSeconds = 30, algorithm: 1 | 2 | 3 = 1): string {
  return oracleCode(secret, BigInt(Math.floor(unixSeconds / periodSeconds)), digits, algorithm);
}

/** oathtool's TOTP for a hex secret at a unix time (the binary comes from scripts/setup-system.sh). */
export function oathtoolTotp(secret: Uint8Array, unixSeconds: number, digits = 6, periodSeconds = 30, algorithm: 1 | 2 | 3 = 1): string {
  const when = new Date(unixSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return execFileSync("oathtool", [
    `--totp=${ALGORITHM_NAMES[algorithm]}`, `--digits=${digits}`, `--time-step-size=${periodSeconds}s`,
    `--now=${when}`, Buffer.from(secret).toString("hex"),
  ], { encoding: "utf8" }).trim();
}

/** 2026-12-03 10:00:10 UTC: ten seconds into a 30-second step, so a test's presses stay in one step. */
export const T0 = 1_796_292_010;

export interface PanelSetup extends SessionOptions {
  credentials?: Credential[];
  settings?: [number, number][];
  /** RTC at boot; null for an RTC without valid time. Default T0. */
  unixSeconds?: number | null;
}

export function session(setup: PanelSetup = {}): SimSession {
  const flash = flashWith(setup.credentials ?? [DEMO_CREDENTIAL], setup.settings ?? []);
  const clock = new SimClock(setup.unixSeconds === undefined ? T0 : setup.unixSeconds);
  const s = new SimSession({ ...setup, flash, clock });
  s.run(100);
  return s;
}

/** The true time of a session whose RTC started at `start` (no drift). */
export function trueSeconds(s: SimSession, start = T0): number {
  return start + Math.floor(s.token.clock.nowMs / 1000);
}
