// Shared pieces of the front-panel tests: the independent code oracles (node:crypto, oathtool), and
// a token session on a flash provisioned through the extension applet (host-sim/flash-writer.ts).
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { SimClock } from "../host-sim/clock.js";
import { SimSession, SessionOptions } from "../host-sim/sim-session.js";
import { flashWith, Credential, DEMO_CREDENTIAL } from "../host-sim/flash-writer.js";
import { NorFlash } from "../host-sim/flash.js";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";
import { DEFAULT_REGION_BYTES } from "../host-sim/token.js";

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
  /** Settings written through the extension applet's PUT SETTING (ids 1..5 within their ranges). */
  settings?: [number, number][];
  /** Settings the applets refuse (the saved selected slot, out-of-range values), written straight
   *  into the store through the test module build/testkit-ui.wasm. */
  storeSettings?: [number, number][];
  /** RTC at boot; null for an RTC without valid time. Default T0. */
  unixSeconds?: number | null;
}

export function session(setup: PanelSetup = {}): SimSession {
  const flash = flashWith(setup.credentials ?? [DEMO_CREDENTIAL], setup.settings ?? []);
  if (setup.storeSettings) putStoreSettings(flash, setup.storeSettings);
  const clock = new SimClock(setup.unixSeconds === undefined ? T0 : setup.unixSeconds);
  const s = new SimSession({ ...setup, flash, clock });
  s.run(100);
  return s;
}

interface StoreKit {
  storeMount(regionOffset: number, regionBytes: number, sectorBytes: number, pageBytes: number): number;
  settingPut(id: number, value: number): number;
}

/** Writes integer settings with the store code itself (the test module), bypassing the applets' checks. */
export function putStoreSettings(flash: NorFlash, settings: [number, number][]): void {
  const kit = instantiateWithHost<StoreKit>(readModule("testkit-ui"), quietDevices(flash)).exports;
  const { totalBytes, sectorBytes, pageBytes } = flash.geometry;
  const mounted = kit.storeMount(totalBytes - DEFAULT_REGION_BYTES, DEFAULT_REGION_BYTES, sectorBytes, pageBytes);
  if (mounted < 0) throw new Error(`store mount failed with status ${mounted}`);
  for (const [id, value] of settings) {
    const status = kit.settingPut(id, value);
    if (status < 0) throw new Error(`settingPut(${id}) failed with status ${status}`);
  }
}

/** The true time of a session whose RTC started at `start` (no drift). */
export function trueSeconds(s: SimSession, start = T0): number {
  return start + Math.floor(s.token.clock.nowMs / 1000);
}
