#!/usr/bin/env node
// Fuzzes the module's APDU entry with fast-check: random bytes, and APDUs built from the command
// set's own CLA/INS/P1/P2 values with TLV-shaped data, against a token that holds a marker secret.
// Every APDU must be answered with a status word (a deferred reply after a touch timeout), nothing
// may trap, and no reply, log line or keyboard report may contain 4 consecutive marker bytes.
//   node scripts/fuzz-apdu.mjs [cases=1000000] [seed]     (after npm run build)
// test/applet-fuzz.test.ts runs runFuzz() with 1e4 cases in CI.
import fc from "fast-check";
import { pathToFileURL } from "node:url";
import { Token } from "../dist/host-sim/token.js";
import { SimClock } from "../dist/host-sim/clock.js";

/** 48 bytes no HMAC output or header is likely to reproduce: the planted secret. */
export const MARKER = Uint8Array.from({ length: 48 }, (_, i) => (i % 2 === 0 ? 0xa5 : 0x5a) ^ (i * 7));
const MARKER_NAME = new TextEncoder().encode("marker:secret");
const OATH_AID = [0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
const EXTENSION_AID = [0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01];
const WINDOW = 4;

const markerWindows = new Set();
for (let i = 0; i + WINDOW <= MARKER.length; i++) markerWindows.add(Buffer.from(MARKER.subarray(i, i + WINDOW)).toString("hex"));

/** Whether `bytes` holds WINDOW consecutive bytes of the marker. */
export function containsMarker(bytes) {
  for (let i = 0; i + WINDOW <= bytes.length; i++) {
    if (markerWindows.has(Buffer.from(bytes.subarray(i, i + WINDOW)).toString("hex"))) return true;
  }
  return false;
}

function tlv(tag, value) {
  return value.length < 0x80 ? [tag, value.length, ...value] : [tag, 0x81, value.length, ...value];
}

function putMarkerApdu(touch) {
  const data = [...tlv(0x71, [...MARKER_NAME]), ...tlv(0x73, [0x21, 6, ...MARKER])];
  if (touch) data.push(0x78, 0x02);
  return Uint8Array.from([0x00, 0x01, 0x00, 0x00, data.length, ...data]);
}

/** A token with the marker credential (and a touch one) in place. */
export function markerToken() {
  const token = new Token({ clock: new SimClock(1_700_000_000) });
  if (token.initStatus !== 0) throw new Error(`init failed: ${token.initStatus}`);
  token.apdu(Uint8Array.from([0x00, 0xa4, 0x04, 0x00, OATH_AID.length, ...OATH_AID]));
  token.apdu(putMarkerApdu(false));
  return token;
}

const byte = fc.integer({ min: 0, max: 255 });
const tag = fc.constantFrom(0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x00, 0xff);
const tlvElement = fc.oneof(
  fc.tuple(tag, fc.uint8Array({ maxLength: 140 })).map(([t, v]) => tlv(t, [...v])),
  fc.tuple(tag, byte, fc.uint8Array({ maxLength: 8 })).map(([t, l, v]) => [t, l, ...v]), // lying length
  fc.constant([0x71, MARKER_NAME.length, ...MARKER_NAME]),
  fc.constant([0x78, 0x02]),
);
const tlvData = fc.array(tlvElement, { maxLength: 5 }).map((parts) => parts.flat());
const aidData = fc.constantFrom(OATH_AID, EXTENSION_AID, [...OATH_AID, 0x01], OATH_AID.slice(0, 5), []);

const weighted = (common, rare) => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: rare });
const structured = fc.record({
  cla: weighted([0x00, 0x00, 0x80], fc.constantFrom(0x10, 0x84, 0xff, 0x01, 0x90)),
  ins: fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xc0, 0x10, 0x20, 0x21, 0x30, 0x31, 0x40, 0x00, 0xfe),
  p1: weighted([0x00, 0x00, 0x04, 0xde, 3, 42, 99, 100], byte),
  p2: weighted([0x00, 0x00, 0x01, 0xad, 7], byte),
  data: fc.oneof(tlvData, aidData, fc.uint8Array({ maxLength: 300 }).map((v) => [...v])),
  encoding: fc.constantFrom("short", "short-le", "extended", "extended-le", "lying-lc", "none"),
  le: byte,
}).map(({ cla, ins, p1, p2, data, encoding, le }) => {
  const header = [cla, ins, p1, p2];
  const n = data.length;
  if (encoding === "none" || (n === 0 && encoding.startsWith("short"))) return Uint8Array.from(encoding === "short-le" ? [...header, le] : header);
  if (encoding === "short" && n < 256) return Uint8Array.from([...header, n, ...data]);
  if (encoding === "short-le" && n < 256) return Uint8Array.from([...header, n, ...data, le]);
  if (encoding === "lying-lc") return Uint8Array.from([...header, (n + 1 + le) & 0xff, ...data]);
  const lc = n === 0 ? [0] : [0, n >> 8, n & 0xff];
  return Uint8Array.from([...header, ...lc, ...data, ...(encoding === "extended-le" ? [0, le] : [])]);
});
const randomApdu = fc.uint8Array({ maxLength: 64 });
const shortApdu = (cla, ins, p1, p2, data) => Uint8Array.from(data.length > 0 ? [cla, ins, p1, p2, data.length, ...data] : [cla, ins, p1, p2]);
const nameBytes = fc.oneof(fc.constant([...MARKER_NAME]), fc.uint8Array({ minLength: 0, maxLength: 70 }).map((v) => [...v]),
  fc.string({ minLength: 1, maxLength: 20 }).map((t) => [...new TextEncoder().encode(t)]));
/** Commands with the right shape and plausible values, to reach past the parsers. */
const wellFormed = fc.oneof(
  fc.record({ name: nameBytes, type: fc.constantFrom(0x10, 0x20, 0x30), alg: fc.integer({ min: 0, max: 4 }), digits: fc.integer({ min: 3, max: 11 }),
    key: fc.uint8Array({ maxLength: 130 }), touch: fc.boolean(), imf: fc.option(fc.uint8Array({ minLength: 3, maxLength: 5 })),
    slot: fc.option(fc.integer({ min: 0, max: 101 })), period: fc.option(fc.integer({ min: 0, max: 255 })) })
    .map(({ name, type, alg, digits, key, touch, imf, slot, period }) => {
      const data = [...tlv(0x71, name), ...tlv(0x73, [type | alg, digits, ...key])];
      if (touch) data.push(0x78, 0x02);
      if (imf !== null) data.push(...tlv(0x7a, [...imf]));
      if (slot === null) return shortApdu(0x00, 0x01, 0, 0, data);
      if (period !== null) data.push(...tlv(0x7d, [period]));
      return shortApdu(0x80, 0x01, slot, 0, data);
    }),
  fc.record({ name: nameBytes, challenge: fc.uint8Array({ maxLength: 70 }), p2: fc.constantFrom(0, 1) })
    .map(({ name, challenge, p2 }) => shortApdu(0x00, 0xa2, 0, p2, [...tlv(0x71, name), ...tlv(0x74, [...challenge])])),
  fc.record({ challenge: fc.uint8Array({ maxLength: 8 }), p2: fc.constantFrom(0, 1) })
    .map(({ challenge, p2 }) => shortApdu(0x00, 0xa4, 0, p2, tlv(0x74, [...challenge]))),
  fc.record({ from: nameBytes, to: nameBytes }).map(({ from, to }) => shortApdu(0x00, 0x05, 0, 0, [...tlv(0x71, from), ...tlv(0x71, to)])),
  nameBytes.map((name) => shortApdu(0x00, 0x02, 0, 0, tlv(0x71, name))),
  fc.constantFrom(shortApdu(0x00, 0xa1, 0, 0, []), shortApdu(0x80, 0x04, 0, 0, []), shortApdu(0x80, 0x10, 0, 0, []),
    shortApdu(0x00, 0xa5, 0, 0, []), shortApdu(0x80, 0x20, 0, 0, [])),
  fc.record({ from: fc.integer({ min: 0, max: 101 }), to: fc.integer({ min: 0, max: 101 }) }).map(({ from, to }) => shortApdu(0x80, 0x03, from, to, [])),
);
export const apduArbitrary = fc.oneof({ weight: 3, arbitrary: structured }, { weight: 3, arbitrary: wellFormed },
  { weight: 1, arbitrary: randomApdu });
/** A case: maybe a SELECT first, then a few commands (so chains and sessions get exercised). */
const sessionArbitrary = fc.record({
  applet: fc.constantFrom(null, OATH_AID, OATH_AID, EXTENSION_AID),
  commands: fc.array(apduArbitrary, { minLength: 1, maxLength: 4 }),
});

/** Sends one APDU; waits out a deferred reply (touch, factory reset) by letting its timeout pass. */
export function exchange(token, command) {
  let response = token.apdu(command);
  if (response === null) {
    const before = token.responses.length;
    for (let waited = 0; waited < 40_000 && token.responses.length === before; waited += 1000) token.advance(1000);
    if (token.responses.length === before) throw new Error(`no reply to ${Buffer.from(command).toString("hex")}`);
    response = token.responses[token.responses.length - 1];
  }
  return response;
}

/**
 * Runs `cases` fuzz cases; throws (fast-check's report, with the seed) on the first trap, missing
 * status word or leak. Returns counts of status words seen.
 */
export function runFuzz(cases, seed) {
  const token = markerToken();
  const statusWords = new Map();
  let sinceReplant = 0;
  let replants = 0;
  fc.assert(
    fc.property(sessionArbitrary, ({ applet, commands }) => {
      if (++sinceReplant >= 100) { // the fuzzer may have deleted or reset it
        sinceReplant = 0;
        exchange(token, Uint8Array.from([0x00, 0xa4, 0x04, 0x00, OATH_AID.length, ...OATH_AID]));
        exchange(token, putMarkerApdu(replants++ % 2 === 1));
      }
      if (applet !== null) check(exchange(token, Uint8Array.from([0x00, 0xa4, 0x04, 0x00, applet.length, ...applet])), applet);
      for (const command of commands) check(exchange(token, command), command);
    }),
    { numRuns: cases, seed, endOnFailure: true },
  );
  return statusWords;

  function check(response, command) {
      if (response.length < 2) throw new Error(`reply without a status word to ${Buffer.from(command).toString("hex")}`);
      if (containsMarker(response)) throw new Error(`marker bytes in reply to ${Buffer.from(command).toString("hex")}`);
      const sw = Buffer.from(response.subarray(response.length - 2)).toString("hex");
      statusWords.set(sw, (statusWords.get(sw) ?? 0) + 1);
      for (const report of token.keyboardReports.splice(0)) if (containsMarker(report)) throw new Error("marker bytes typed");
      for (const line of token.logs.splice(0)) if (containsMarker(new TextEncoder().encode(line.text))) throw new Error("marker bytes logged");
      token.responses.length = 0;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const cases = Number(process.argv[2] ?? 1_000_000);
  const seed = process.argv[3] !== undefined ? Number(process.argv[3]) : Date.now() % 2 ** 31;
  const started = Date.now();
  const batch = 10_000;
  const totals = new Map();
  for (let done = 0; done < cases; done += batch) {
    const counts = runFuzz(Math.min(batch, cases - done), seed + done);
    for (const [sw, n] of counts) totals.set(sw, (totals.get(sw) ?? 0) + n);
    process.stderr.write(`fuzz-apdu: ${Math.min(done + batch, cases)} / ${cases} cases (seed ${seed}), ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  const grouped = new Map();
  for (const [sw, n] of totals) grouped.set(sw.startsWith("61") ? "61xx" : sw, (grouped.get(sw.startsWith("61") ? "61xx" : sw) ?? 0) + n);
  const summary = [...grouped].sort((a, b) => b[1] - a[1]).map(([sw, n]) => `${sw}:${n}`).join(" ");
  process.stdout.write(`fuzz-apdu: ${cases} cases, 0 traps, 0 leaks; status words ${summary}\n`);
}
