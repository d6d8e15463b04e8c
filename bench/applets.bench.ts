// YKOATH CALCULATE ALL over 100 credentials in Node: the release module through host-sim's Token
// (APDU in, chained 61xx replies fetched with SEND REMAINING), next to node:crypto computing the
// same 100 HMACs, and LIST for comparison.
import { createHmac, randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { Token } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import type { Bench } from "./run.js";

const OATH_AID = [0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
const CREDENTIALS = 100;

function tlv(tag: number, value: Uint8Array | number[]): number[] {
  return [tag, value.length, ...value];
}

function short(cla: number, ins: number, p1: number, p2: number, data: number[]): Uint8Array {
  return Uint8Array.from(data.length > 0 ? [cla, ins, p1, p2, data.length, ...data] : [cla, ins, p1, p2]);
}

/** One command and its whole chained reply; returns [data bytes, response APDUs]. */
function exchange(token: Token, command: Uint8Array): [number, number] {
  let response = token.apdu(command)!;
  let bytes = response.length - 2;
  let chunks = 1;
  while (response[response.length - 2] === 0x61) {
    response = token.apdu(Uint8Array.from([0x00, 0xa5, 0x00, 0x00]))!;
    bytes += response.length - 2;
    chunks++;
  }
  if (response[response.length - 2] !== 0x90) throw new Error(`status ${Buffer.from(response.subarray(-2)).toString("hex")}`);
  return [bytes, chunks];
}

/** Median over 10 batches of the mean time per call: other processes on the machine move single
 *  batches, the median much less. */
function timeMs(iterations: number, body: () => void): number {
  body(); // warm up
  const batches: number[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations / 10; i++) body();
    batches.push(Number(process.hrtime.bigint() - started) / 1e6 / (iterations / 10));
  }
  batches.sort((a, b) => a - b);
  return (batches[4] + batches[5]) / 2;
}

const bench: Bench = async () => {
  const token = new Token({ clock: new SimClock(1_700_000_000) });
  exchange(token, short(0x00, 0xa4, 0x04, 0x00, OATH_AID));
  const keys: Buffer[] = [];
  for (let i = 0; i < CREDENTIALS; i++) {
    keys.push(randomBytes(20));
    // Realistic ykman names: "Issuer:account", 30-40 bytes.
    const name = [...new TextEncoder().encode(`Issuer ${String(i).padStart(3, "0")}:user${i}@example.com`)];
    exchange(token, short(0x00, 0x01, 0, 0, [...tlv(0x71, name), ...tlv(0x73, [0x21, 6, ...keys[i]])]));
  }
  const challenge = Buffer.alloc(8);
  challenge.writeBigUInt64BE(BigInt(Math.floor(1_700_000_000 / 30)));
  const calculateAll = short(0x00, 0xa4, 0x00, 0x01, tlv(0x74, [...challenge]));
  const list = short(0x00, 0xa1, 0x00, 0x00, []);
  const [allBytes, allChunks] = exchange(token, calculateAll);
  const [listBytes, listChunks] = exchange(token, list);
  const iterations = 200;
  const calculateAllMs = timeMs(iterations, () => exchange(token, calculateAll));
  const listMs = timeMs(iterations, () => exchange(token, list));
  const nodeMs = timeMs(iterations * 10, () => {
    for (const key of keys) createHmac("sha1", key).update(challenge).digest();
  });
  const f = (ms: number) => ms.toFixed(2);
  return {
    title: "APDU applets: CALCULATE ALL over 100 credentials",
    markdown: `100 TOTP SHA-1 credentials (names of 30-40 bytes) in the release module on host-sim; one
CALCULATE ALL (truncated, P2 01) with every chained chunk fetched by SEND REMAINING; median of 10 batches
of ${iterations / 10} runs.

| operation | ms per command | reply bytes | response APDUs |
|---|---|---|---|
| CALCULATE ALL, 100 credentials | ${f(calculateAllMs)} | ${allBytes} | ${allChunks} |
| LIST, 100 credentials | ${f(listMs)} | ${listBytes} | ${listChunks} |
| node:crypto, the same 100 HMAC-SHA-1 (reference) | ${f(nodeMs)} | | |

Per credential, CALCULATE ALL costs ${f(calculateAllMs / CREDENTIALS * 1000)} us in the module (secret read from the flash
model, key context prepared, one HMAC, truncation, reply framing) and ${f(nodeMs / CREDENTIALS * 1000)} us for a node:crypto
createHmac/update/digest (mostly its per-object setup): module time / node:crypto time =
${(calculateAllMs / nodeMs).toFixed(2)}. wasm3 on the RP2040 interprets the same bytes far slower; the on-board figure
belongs to the firmware bench. Load average during the run: ${loadavg()[0].toFixed(1)} (other processes share the cores, so
absolute figures move between runs; the ratio is measured side by side).`,
  };
};
export default bench;
