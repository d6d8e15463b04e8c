// The slot store on the flash model: wear over 10 years of use, and mount time with a full,
// fragmented log. Both run the real module (build/testkit-store.wasm) on host-sim's NorFlash.
import { NorFlash } from "../host-sim/flash.js";
import {
  StoreUnderTest, PICO_REGION, Credential, KIND_HOTP, KIND_TOTP, seededRandom, randomCredential, nameOf,
} from "../host-sim/store-harness/index.js";
import type { Bench } from "./run.js";

const YEARS = 10;
const WRITES_PER_DAY = 100;
const TOTAL_WRITES = YEARS * 365 * WRITES_PER_DAY;
const SECTORS = PICO_REGION.regionBytes / PICO_REGION.geometry.sectorBytes;

function fresh(): StoreUnderTest {
  const s = new StoreUnderTest(new NorFlash(PICO_REGION.geometry), PICO_REGION);
  if (s.mount() !== 0) throw new Error("mount failed");
  return s;
}

// The largest credential: 64-byte name, 128-byte secret (the worst case for wear).
function largest(tag: string, kind: number, random: () => number): Credential {
  return {
    name: nameOf(tag, 64), kind, algorithm: 3, digits: 8, periodSeconds: 30, counter: 0n, flags: 0,
    secret: Uint8Array.from({ length: 128 }, () => Math.floor(random() * 256)),
  };
}

interface WearResult {
  hotpShare: number;
  idleMaintenance: boolean;
  writes: number;
  maxErases: number;
  minErases: number;
  meanErases: number;
  programs: number;
  presses: number;
  pressesThatErased: number;
  seconds: number;
}

/** A full store (100 slots of the largest size, 10 of them HOTP), then `TOTAL_WRITES` writes:
 *  HOTP presses with probability `hotpShare`, else overwrites of a random slot; with
 *  `idleMaintenance`, storeMaintain() runs after each write as the token's idle tick would. */
function wear(hotpShare: number, idleMaintenance: boolean): WearResult {
  const random = seededRandom(1000 + Math.round(hotpShare * 100));
  const s = fresh();
  for (let slot = 0; slot < 100; slot++) {
    if (s.put(slot, largest(`slot${slot}`, slot < 10 ? KIND_HOTP : KIND_TOTP, random)) !== 0) throw new Error("provision");
  }
  const { sectorBytes } = PICO_REGION.geometry;
  const first = PICO_REGION.regionOffset / sectorBytes;
  const erasesBefore = s.flash.sectorErases.slice(first, first + SECTORS);
  const programsBefore = s.flash.programs;
  let presses = 0;
  let pressesThatErased = 0;
  const started = process.hrtime.bigint();
  for (let write = 0; write < TOTAL_WRITES; write++) {
    const slot = Math.floor(random() * 10);
    if (random() < hotpShare) {
      const erases = s.flash.erases;
      if (s.x.slotHotpNext(slot) < 0n) throw new Error(`press ${write}`);
      presses++;
      if (s.flash.erases !== erases) pressesThatErased++;
    } else {
      const target = Math.floor(random() * 100);
      if (s.put(target, largest(`w${write}`, target < 10 ? KIND_HOTP : KIND_TOTP, random)) !== 0) throw new Error(`put ${write}`);
    }
    if (idleMaintenance && s.x.storeMaintain() < 0) throw new Error(`maintain ${write}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const erases = Array.from(s.flash.sectorErases.slice(first, first + SECTORS), (e, i) => e - erasesBefore[i]);
  return {
    hotpShare, idleMaintenance, writes: TOTAL_WRITES, seconds,
    maxErases: Math.max(...erases), minErases: Math.min(...erases),
    meanErases: erases.reduce((a, b) => a + b, 0) / erases.length,
    programs: s.flash.programs - programsBefore,
    presses, pressesThatErased,
  };
}

/** 100 slots of mixed sizes, then overwrites, deletes, re-adds and HOTP presses until the log has
 *  wrapped around the region several times: every sector holds a mix of live and dead records. */
function fragmentedStore(): { flash: NorFlash; records: number; erases: number } {
  const random = seededRandom(77);
  const s = fresh();
  for (let slot = 0; slot < 100; slot++) s.put(slot, randomCredential(random, `m${slot}`));
  let records = 100;
  for (let i = 0; i < 3000; i++) {
    const slot = Math.floor(random() * 100);
    const roll = random();
    if (roll < 0.4 && s.x.slotKind(slot) === KIND_HOTP) s.x.slotHotpNext(slot);
    else if (roll < 0.5) {
      s.x.slotDelete(slot);
      s.put(slot, randomCredential(random, `d${i}`));
      records++;
    } else if (roll < 0.6) s.x.settingPut(1 + (i % 6), i);
    else s.put(slot, randomCredential(random, `o${i}`));
    records++;
  }
  if (s.x.slotsUsedCount() !== 100) throw new Error("fragmented store lost slots");
  return { flash: s.flash, records, erases: s.flash.erases };
}

function mountTiming(flash: NorFlash): { microseconds: number; reads: number; bytesRead: number } {
  let reads = 0;
  let bytesRead = 0;
  const read = flash.read.bind(flash);
  flash.read = (offset: number, length: number) => {
    reads++;
    bytesRead += length;
    return read(offset, length);
  };
  const samples: number[] = [];
  for (let i = 0; i < 41; i++) {
    const s = new StoreUnderTest(flash, PICO_REGION);
    reads = 0;
    bytesRead = 0;
    const started = process.hrtime.bigint();
    if (s.mount() !== 0 || s.x.slotsUsedCount() !== 100) throw new Error("mount");
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { microseconds: samples[20], reads, bytesRead };
}

const bench: Bench = async () => {
  const mixes = [wear(0.9, false), wear(0.9, true), wear(0.5, true)];
  const { flash, records, erases } = fragmentedStore();
  const mount = mountTiming(flash);
  const staticBytes = fresh().staticBytes;
  const rows = mixes.map((m) =>
    `| ${Math.round(m.hotpShare * 100)} % presses, ${Math.round((1 - m.hotpShare) * 100)} % puts | ` +
    `${m.idleMaintenance ? "yes" : "no"} | ${m.writes} | ` +
    `**${m.maxErases}** | ${m.minErases} | ${m.meanErases.toFixed(0)} | ${m.programs} | ` +
    `${m.pressesThatErased} of ${m.presses} | ${m.seconds.toFixed(0)} s |`).join("\n");
  const worst = Math.max(...mixes.map((m) => m.maxErases));
  return {
    title: "Slot store: wear and mount time",
    markdown: `
**Wear over ${YEARS} years at ${WRITES_PER_DAY} writes a day** (${TOTAL_WRITES} writes, all simulated: the
real module on the flash model, no extrapolation). The store starts full: 100 slots with the largest
name (64 B) and secret (128 B), 10 of them HOTP. Each write is a HOTP press on one of the 10 HOTP
slots or an overwrite of a random slot with a new largest credential. Region: the last 64 KiB of a
2 MiB flash (${SECTORS} sectors of 4 KiB). Erases per sector over the ${YEARS} years:

| mix | idle maintenance | writes | most erases of a sector | fewest | mean | program operations | presses that erased (a compaction) | simulated in |
|---|---|---|---|---|---|---|---|---|
${rows}

Worst sector: **${worst} erases** in ${YEARS} years (target <= 10,000; W25Q16JV sectors are rated for
100,000). Wear is even because compaction always takes the oldest sector, so the log moves round the
region like a ring and static slots travel with it. A press is one program of a 32-byte record (two
when it opens a pre-erased sector); only the presses that find the log full run a compaction, which
copies the oldest sector's live records and erases it. With idle maintenance (\`storeMaintain()\`
from the tick between presses: one compaction when the log is down to two spare sectors and the
oldest sector is at most half live), presses that compact become rare or vanish.

**Mount time** with 100 slots and a fragmented log (100 slots of mixed sizes, then 3000 random
overwrites, delete/re-adds, setting changes and HOTP presses writing ${records - 100} records and
taking ${erases} sector erases, so the log wrapped round the region several times): median of 41 mounts **${(mount.microseconds / 1000).toFixed(2)} ms** in Node (a fresh
module instance each time; instantiation not included). A mount makes ${mount.reads} \`flash_read\`
calls for ${mount.bytesRead} bytes (every sector header, every record header and payload, the erased
check of free sectors, the head's tail); cycles on the board come with the emulator issue.

Static memory of the store (RAM index of 100 slots and 128 + 128 setting ids, sector table, two
record buffers, HMAC context): **${staticBytes} bytes**.
`,
  };
};
export default bench;
