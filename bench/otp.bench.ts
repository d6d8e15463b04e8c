// TOTP codes per second, side by side in one process: the module (key context prepared once in
// module memory, one call per code, as the token computes codes) against node:crypto, otpauth,
// otplib and @noble/hashes. Each contender computes 6-digit SHA-1 codes for successive time steps;
// every contender's codes are checked against node:crypto's before timing.
import { createHmac, randomBytes } from "node:crypto";
import * as OTPAuth from "otpauth";
import { generateSync } from "otplib";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha1 as nobleSha1 } from "@noble/hashes/legacy.js";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";
import type { Bench } from "./run.js";

export interface Contender {
  name: string;
  /** Does `count` units of work. */
  work: (count: number) => void;
}

/** Medians of `units per second` for each contender. After a warm-up that sizes each contender's
 *  batch to a tenth of a round, the contenders take turns round by round, so a busy machine slows
 *  them alike and the ratios stay meaningful. */
export function measureSideBySide(contenders: Contender[], rounds = 7, roundMs = 250): Map<string, number> {
  const batches = contenders.map(({ work }) => {
    let count = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      work(count);
      if (Number(process.hrtime.bigint() - start) / 1e6 > roundMs / 10) return count;
      count *= 2;
    }
  });
  const rates: number[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach(({ work }, index) => {
      let done = 0;
      let elapsedNs = 0;
      const start = process.hrtime.bigint();
      while (elapsedNs < roundMs * 1e6) {
        work(batches[index]);
        done += batches[index];
        elapsedNs = Number(process.hrtime.bigint() - start);
      }
      rates[index].push((done * 1e9) / elapsedNs);
    });
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return new Map(contenders.map(({ name }, index) => [name, median(rates[index])]));
}

export const formatRate = (value: number): string =>
  value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)} k` : value.toFixed(0);

interface TotpKit {
  memory: WebAssembly.Memory;
  ioBuffer(): number;
  contextBuffer(index: number): number;
  hmacPrepare(algorithm: number, key: number, keyBytes: number, context: number): number;
  totpWithContext(context: number, unixSeconds: bigint, periodSeconds: number, digits: number): bigint;
}

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const START_SECONDS = 1_700_000_000;

function nodeTotp(key: Buffer, unixSeconds: number): string {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(unixSeconds / PERIOD_SECONDS), 4);
  const digest = createHmac("sha1", key).update(message).digest();
  const offset = digest[19] & 0x0f;
  return ((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(DIGITS, "0");
}

function nobleTotp(key: Uint8Array, unixSeconds: number): string {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setUint32(4, Math.floor(unixSeconds / PERIOD_SECONDS));
  const digest = nobleHmac(nobleSha1, key, message);
  const offset = digest[19] & 0x0f;
  const value = ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
  return (value % 1_000_000).toString().padStart(DIGITS, "0");
}

const bench: Bench = async () => {
  const key = randomBytes(20);
  const kit = instantiateWithHost<TotpKit>(readModule("testkit-crypto"), quietDevices()).exports;
  new Uint8Array(kit.memory.buffer).set(key, kit.ioBuffer());
  const context = kit.contextBuffer(0);
  if (kit.hmacPrepare(1, kit.ioBuffer(), key.length, context) !== 0) throw new Error("hmacPrepare failed");
  const moduleTotp = (unixSeconds: number): string =>
    kit.totpWithContext(context, BigInt(unixSeconds), PERIOD_SECONDS, DIGITS).toString().padStart(DIGITS, "0");
  // The module without the prepared context: the key is processed again for every code.
  const moduleUnprepared = (unixSeconds: number): string => {
    new Uint8Array(kit.memory.buffer).set(key, kit.ioBuffer());
    kit.hmacPrepare(1, kit.ioBuffer(), key.length, kit.contextBuffer(1));
    return kit.totpWithContext(kit.contextBuffer(1), BigInt(unixSeconds), PERIOD_SECONDS, DIGITS).toString().padStart(DIGITS, "0");
  };
  const otpauthSecret = new OTPAuth.Secret({ buffer: new Uint8Array(key).buffer });
  const otpauthTotp = (unixSeconds: number): string =>
    OTPAuth.TOTP.generate({ secret: otpauthSecret, algorithm: "SHA1", digits: DIGITS, period: PERIOD_SECONDS, timestamp: unixSeconds * 1000 });
  const otplibKey = new Uint8Array(key);
  const otplibTotp = (unixSeconds: number): string =>
    generateSync({ secret: otplibKey, epoch: unixSeconds, digits: DIGITS, period: PERIOD_SECONDS, algorithm: "sha1" });

  const contenders: [string, (unixSeconds: number) => string][] = [
    ["totpkey module (prepared key context)", moduleTotp],
    ["totpkey module (key prepared for every code)", moduleUnprepared],
    ["node:crypto createHmac + truncation", (t) => nodeTotp(key, t)],
    ["otpauth 9 (TOTP.generate)", otpauthTotp],
    ["otplib 13 (generateSync)", otplibTotp],
    ["@noble/hashes 2 hmac + truncation", (t) => nobleTotp(key, t)],
  ];

  // Every contender must agree with node:crypto before its speed means anything.
  for (let step = 0; step < 200; step++) {
    const time = START_SECONDS + step * 997;
    const expected = nodeTotp(key, time);
    for (const [name, totp] of contenders) {
      if (totp(time) !== expected) throw new Error(`${name} disagrees with node:crypto at T=${time}`);
    }
  }

  let time = START_SECONDS;
  let sink = 0;
  const rates = measureSideBySide(
    contenders.map(([name, totp]) => ({
      name,
      work: (count: number): void => {
        for (let i = 0; i < count; i++) {
          sink ^= totp(time).charCodeAt(0);
          time += PERIOD_SECONDS;
        }
      },
    })),
  );
  if (sink === -1) throw new Error("unreachable: keeps the results alive");

  const nodeRate = rates.get("node:crypto createHmac + truncation")!;
  const moduleRate = rates.get("totpkey module (prepared key context)")!;
  const rows = [...rates].map(([name, rate]) =>
    `| ${name} | ${formatRate(rate)} | ${(1e9 / rate).toFixed(0)} ns | ${(rate / nodeRate).toFixed(2)}x |`);
  return {
    title: "TOTP codes per second (module vs JavaScript libraries)",
    markdown:
      `6-digit HMAC-SHA-1 TOTP, 30 s period, a random 20-byte key, successive time steps; one JS call per code. ` +
      `Medians of 7 rounds of 250 ms per contender, taken in turns after a warm-up; every contender's codes were first checked against node:crypto.\n\n` +
      `**Module / node:crypto: ${(moduleRate / nodeRate).toFixed(2)}x** (floor 2.5x, target 5x).\n\n` +
      `| implementation | codes/s | per code | vs node:crypto |\n|---|---|---|---|\n${rows.join("\n")}`,
  };
};
export default bench;
