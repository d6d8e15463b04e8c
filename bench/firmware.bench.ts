// The RP2040 firmware in rp2040js: image and RAM per section against the budgets (image <= 256 KiB,
// RAM <= 128 KiB with the module's memory and the stacks), and on-device costs in cycles at
// 125 MHz: boot to enumerated with 100 slots, one TOTP, CALCULATE ALL over 100 slots, button edge
// to the first key report. Cycles are the emulator's instruction cycles (idle WFI time excluded).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Bench } from "./run.js";
import { packageRoot } from "../host-sim/paths.js";
import { Credential as StoreCredential, DEMO_CREDENTIAL, flashWith } from "../host-sim/flash-writer.js";
import { buildFirmware } from "../emulator/firmware.js";
import { attributeSamples, firmwareSections, firmwareSymbols } from "../emulator/elf.js";
import { EmulatedToken } from "../emulator/token.js";
import { cStackHighWaterBytes, valueStackHighWaterBytes } from "../emulator/stack-marks.js";
import { CcidClient, EP_KEYBOARD_IN } from "../emulator/usb-client.js";
import { frameToText } from "../host-sim/display.js";
import { CLK_SYS_HZ } from "../emulator/board.js";

const T0 = 1_796_292_010;

// Steps tried on the firmware side and what each bought (measured 2026-12-03, module of that day).
const TUNING = `Tuning record, first round (firmware side, 2026-12-03, module of that day):
- wasm3 compiled with -O3 instead of -O2: warm CALCULATE 643,968 vs 643,959 cycles (no change), image +3.6 KiB: -O2 kept.
- Lazy compilation (TK_COMPILE_AT_BOOT 0) instead of compiling all at boot: heap after boot 99 KiB instead of 216 KiB, boot to
  "ready" 61 ms instead of 158 ms (no slots); the first call of each function pays its compilation (CALCULATE 11.2 ms first, 5.2 ms warm).
- The main loop sleeps in WFI between a 1 ms timer alarm and USB interrupts: idle costs no cycles (and emulates 30x faster).
- wasm loads and stores without a memcpy call (boards/rp2040/wasm3_rp2040.h: aligned 1/2/4/8-byte accesses inline; the
  profile below had memcpy at 15 % of CALCULATE ALL): warm CALCULATE 644k -> 514k cycles, CALCULATE ALL 626 -> 505 ms.
  A word-copying memcpy (boards/rp2040/memcpy.c) instead of newlib-nano's byte loop alone changed nothing measurable.
- Leading-edge debounce: the button edge reaches the module within one loop period instead of after 20 ms of stable level.

Second round (2026-12-03; each step measured against the build just before it; the module grew from 38 to 47 KB meanwhile
with the PIN layer, so compare rows of one table, not tables):
- OK types the first key inside button() (assembly/ui/panel.ts calls typingTick right after typingStart) instead of at
  the next 10 ms tick: button edge to first report 12.98 -> 10.19 ms on the first press (which compiles the typing path);
  a warm press (next slot) 4.57 ms, nearly all of it the TOTP itself.
- The module's SHA-256 computed by the build and embedded (totpkey_wasm_sha256; the e2e test compares the reported digest
  with node:crypto's): the load phase 58 -> 22 ms (38 KB module).
- No module tick while a host enumerates (until SET_CONFIGURATION, at most 1 s): the first tick compiled and drew the
  panel in the middle of enumeration, whose control transfers have deadlines; enumeration after "ready" 95.3 -> 22.5 ms.
  The panel's first frame comes after enumeration instead. (A real host waits >= 100 ms after attach before its reset,
  which the emulated host does not.)
- CRC-32 a word at a time (assembly/store/crc.ts; the mount checks every record): init with 100 slots 71.5 -> 61.9 ms.
- wasm3 gets only the memory the module can touch (wasm3 0.5.0's runtime memoryLimit = the end of the module's statics,
  __heap_base from a probe build, 20,992 B of the 64 KiB page): heap after init 106.6 -> 62.8 KB.
- C stack reservation 32 -> 24 KiB (high-water 15.3 KiB).
- -O3 for wasm3 retried with the inline loads: CALCULATE (1 slot) 508,526 vs 508,558 cycles, no change: -O2 kept.
- Why an operation costs ~45 cycles: GCC 12 emits no tail calls for Thumb-1 (ARMv6-M), so each wasm3 operation calls
  the next one (push, a 12-byte frame, the 64-bit register argument passed on the stack, blx, pop on the way back) instead
  of jumping to it; the C stack also deepens with every operation of a block (the 15 KiB high-water). Checked on a
  three-line example: no sibling call at -O2/-O3 even with all arguments in registers. A compiler that does Thumb-1 tail
  calls (clang) is not in the project's toolchain.
- Breakdown of a warm CALCULATE (1 slot 508k cycles, the last of 100 slots 1.04M: the name lookup costs ~5.3k cycles per
  slot passed); CALCULATE ALL ~470k cycles per credential, nearly all HMAC-SHA-1 (4 blocks).
- The load phase (31 ms): ~9 ms is newlib realloc copying wasm3's function and global arrays, grown one entry at a time
  inside wasm3 (quadratic), ~4 ms zeroing a compiler state per global initialiser; both in wasm3's unmodified source.
- The workload reaches 2.1 KiB of wasm3's 8 KiB value stack; not cut, as PIN and other applet paths are not in it.
- Not done: a per-credential cache of prepared HMAC contexts (halves the HMAC, but it keeps key-equivalent state in RAM,
  which the PIN lock's sealed secrets must not have while locked, and costs 40-128 B per slot); hot operations in RAM
  (rp2040js charges no XIP wait states, so only a chip can show it).
- A button edge wakes the loop (IO_BANK0 edge interrupt) instead of waiting for the next 1 ms alarm: warm presses at four
  phases of the loop 4.32 / 4.55 / 4.08 / 4.07 ms -> 4.04 ms each.

Third round, RAM (2026-12-04, 50 KB module; the workload now adds SHA-256/SHA-512 CALCULATE, PIN set, unlock and
CALCULATE ALL over sealed slots, which took the heap from 145 to 196 KB and the C stack to 17.5 KiB; docs/wasm3.md):
- Compiled code as a cache (boards/common/code_cache.c): all code dropped after init and after any event leaving more
  than 96 KiB; heap after boot 107 -> 89 KB, after the heavy paths 196 -> 166 KB; warm CALCULATE and presses unchanged.
  Budgets below the everyday working set (78 KB) recompile at every event: 32 KiB: warm CALCULATE 71 ms; 1 byte: heap
  112 KB, CALCULATE ALL 1.45 s.
- wasm3 value stack 8 -> 4 KiB (high-water 2.3 KiB with the heavy paths).
- wasm3's realloc with a quarter of headroom: load 33.3 -> 20.6 ms, heap after boot +1.3 KB.
- C stack kept at 24 KiB: 19.1 KiB high-water when code compiles again deep in a call chain.
- The CCID reply buffer holds one 256-byte chunk plus SW (the module never sends more): .bss 13,968 -> 10,128 B.
- RAM with the heavy paths 229.0 -> 196.7 KiB (everyday workload 179.9 -> 162.7 KiB); first press after boot 9.3 -> 12.0 ms
  (the panel code compiled by init is dropped); warm CALCULATE, CALCULATE ALL and warm presses unchanged.

Fourth round (2026-12-04; each step against the build before it):
- Slot records hold the HMAC key prepared (the inner and outer chaining values), so a code costs 2 SHA compressions
  instead of 4: warm CALCULATE 512k -> 319k cycles, CALCULATE ALL 505 -> 317 ms.
- An 8-bit name hash per slot in the RAM index: CALCULATE of the last of 100 slots 1.04M -> 393k cycles, a missing
  name 741k -> 111k.
- Mount checks erased flash 8 bytes at a time and stops a sector's replay at its erased rest; a byte-wise CRC-32 table
  (1 KiB of statics): module init 81 -> 45 ms, boot to enumerated 118 -> 87 ms (with the realloc headroom above).
- The panel renders only when its frame can differ (it rendered every 50 ms, ~1.8M cycles each): idle 39M -> 4M cycles
  per second, CALCULATE ALL (its chunks interleave with ticks) 317 -> 208 ms.
- The PIN derivation: a 16 ms work slice, the progress bar in 16-pixel steps, no periodic redraw while deriving:
  unlock 2.35 -> 1.26 s (npm run bench -- pin).
- The USB stack assembles a command in the module's own APDU buffer (one interface at a time): .bss 14,232 -> 1,872 B.
- Shorter straight-line runs in SHA-256, ChaCha20 and Poly1305 (each wasm3 operation is a C stack frame until the next
  loop head): C stack high-water 18.0 -> 16.9 KiB, reserve 24 -> 23 KiB; heavy paths +4 %.
- shrinkLevel 2 with @inline on the hot helpers it stopped inlining: everyday compiled code 81 -> 59 KB, C stack
  17.3 -> 14.4 KiB, first press after boot 11.5 -> 7.2 ms, warm CALCULATE 307k -> 310k cycles, CALCULATE ALL 213 -> 223 ms;
  then the code budget 96 -> 64 KiB: heap with the heavy paths 170 -> 137 KB, RAM 195.4 -> 159.4 KiB, heavy paths +7 %.
- Not taken: SHA-1 with its message schedule in locals (196k cycles per CALCULATE fully unrolled, 227k as four 20-round
  functions) takes the C stack to ~24.5 KiB. Warm CALCULATE stays above the 250k target.

Fifth round (2026-12-04), RAM:
- The fixed part: exact-size function and global arrays after parsing, one name per function record (64 -> 56 B), value stack
  4 -> 3 KiB (1.9 KiB high-water), compile stack 256 -> 80 slots: heap with the heavy paths 138.5 -> 130.7 KB.
- C stack reserve 23 -> 18 KiB with a 256-byte guard band (checked every loop; a write resets the board): high-water 14.3 KiB,
  14.8 KiB with code dropped after every event. RAM 160.5 -> 147.9 KiB. Speed unchanged.
- Measured, not taken: code dropped after every event, heap peak 106.5 KB (RAM ~124 KiB) but every event recompiles what it
  runs at ~0.6 ms per KB of code; a 40 KiB budget, RAM ~138 KiB and a warm press 2.4 -> 5.6 ms. The heaviest single event
  (the tick that ends a PIN derivation and reseals the slots) compiles 53 KB by itself.

Sixth round (2026-12-04), RAM to the 128 KiB target (docs/wasm3.md, "Heavy work on a clean slate"):
- Functions marked \`// @cold\` are never inlined (an asc transform), so a rare branch inside an everyday function is not
  compiled with it: everyday compiled code 59.4 -> 53.2 KB, RAM 147.9 -> 143.8 KiB.
- The module says what is not routine (ABI: \`apdu_routine\`, \`drop_compiled_code\`): provisioning commands and each phase of a
  PIN derivation run on an emptied code cache, and their code goes after them: 143.8 -> 138.3 KiB; the extension's
  provisioning commands cold too: 136.9 KiB.
- CALCULATE and CALCULATE ALL while a PIN is set (every slot sealed: ChaCha20-Poly1305 on top of the HMAC) on a clean
  slate too, and any APDU or press between a derivation's end and its reseal; the APDU buffer 4112 -> 1040 bytes (an
  extended APDU with 1 KiB of data; the longest a client sends is under 300): RAM 136.9 -> 122.8 KiB.
- The workload gained OK on the panel over a sealed slot, a PIN token's everyday press: 133.6 KiB with it. Then the last
  part of a long answer over sealed slots drops the code, the slot typed last is saved 5 s after the panel goes idle
  instead of inside the press (the store's write path was in every press's code), and the PIN entry's screens drop the
  code when they close: 133.6 -> 120.6 KiB. Sealed CALCULATE ALL 748 -> 823 ms (it recompiles), a sealed press 7.7 ms;
  without a PIN nothing changed (warm CALCULATE 2.49 ms, warm press 2.42 ms, CALCULATE ALL 223 ms).
- Not taken: a 48 KiB budget (tried before the sealed clean slates: RAM -8 KiB, but the everyday set of ~52 KB no longer
  fits and a warm press took 2.4 -> 5.6 ms).`;
const KIB = 1024;
const BUTTON_DOWN = 1;
const BUTTON_OK = 2;
const BUTTON_UP = 0;
const OATH_AID = [0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
const EXTENSION_AID = [0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01];
const BENCH_PIN = "273519";

function apdu(ins: number, p1: number, p2: number, data: number[] = []): Uint8Array {
  return Uint8Array.from([0x00, ins, p1, p2, data.length, ...data]);
}

/** An extension applet command (CLA 80). */
function extApdu(ins: number, p1: number, p2: number, data: number[] = []): Uint8Array {
  return Uint8Array.from([0x80, ins, p1, p2, data.length, ...data]);
}

function tlv(tag: number, value: number[]): number[] {
  return [tag, value.length, ...value];
}

function challenge(unixSeconds: number): number[] {
  const counter = Math.floor(unixSeconds / 30);
  return [0, 0, 0, 0, (counter >>> 24) & 0xff, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff];
}

/** One APDU over CCID with 61xx chaining; returns the cycles the board spent and the status word. */
function exchange(token: EmulatedToken, ccid: CcidClient, command: Uint8Array): { cycles: number; sw: number } {
  const before = token.board.cycles;
  let reply = ccid.transmit(command);
  while (reply[reply.length - 2] === 0x61) reply = ccid.transmit(apdu(0xa5, 0, 0));
  return { cycles: token.board.cycles - before, sw: (reply[reply.length - 2] << 8) | reply[reply.length - 1] };
}

/** RFC 6238 with node:crypto, the oracle for the codes the board computes. */
function totp(algorithm: string, key: Uint8Array, unixSeconds: number, digits: number): string {
  const mac = createHmac(algorithm, key).update(Uint8Array.from(challenge(unixSeconds))).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const value = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(value % 10 ** digits).padStart(digits, "0");
}

/** The extension applet's PIN state (DEVICE INFO tag 08): state, tries left, last outcome. */
function pinState(token: EmulatedToken, ccid: CcidClient): number[] {
  exchange(token, ccid, apdu(0xa4, 0x04, 0x00, EXTENSION_AID));
  const reply = ccid.transmit(extApdu(0x10, 0, 0));
  for (let at = 0; at + 1 < reply.length - 2; at += 2 + reply[at + 1]) {
    if (reply[at] === 0x08) return [...reply.subarray(at + 2, at + 2 + reply[at + 1])];
  }
  throw new Error("DEVICE INFO without the PIN state");
}

/**
 * The heavy paths after the timed ones, so the RAM high-water marks see them: SHA-256 and SHA-512
 * credentials (codes checked against node:crypto), a PIN set over USB (PBKDF2, every slot sealed),
 * lock, unlock on the front panel (PBKDF2 again), CALCULATE ALL over the sealed slots, and OK on
 * the panel over a sealed slot.
 */
function heavyWorkload(token: EmulatedToken, ccid: CcidClient): string {
  const keys = [
    { slot: 98, name: "sha256@bench", algorithm: "sha256", id: 2, digits: 8, key: Uint8Array.from({ length: 32 }, (_, i) => i + 1) },
    { slot: 99, name: "sha512@bench", algorithm: "sha512", id: 3, digits: 8, key: Uint8Array.from({ length: 64 }, (_, i) => 255 - i) },
  ];
  const when = T0 + 90;
  const check = (sw: number, what: string) => { if (sw !== 0x9000) throw new Error(`${what} answered ${sw.toString(16)}`); };
  check(exchange(token, ccid, apdu(0xa4, 0x04, 0x00, EXTENSION_AID)).sw, "SELECT extension");
  for (const k of keys) {
    const name = [...new TextEncoder().encode(k.name)];
    check(exchange(token, ccid, extApdu(0x01, k.slot, 0, [...tlv(0x71, name), ...tlv(0x73, [0x20 | k.id, k.digits, ...k.key])])).sw, "PUT SLOT");
  }
  const codes = (): string[] => {
    exchange(token, ccid, apdu(0xa4, 0x04, 0x00, OATH_AID));
    return keys.map((k) => {
      const name = [...new TextEncoder().encode(k.name)];
      const reply = ccid.transmit(apdu(0xa2, 0x00, 0x01, [...tlv(0x71, name), ...tlv(0x74, challenge(when))]));
      if (reply[reply.length - 2] !== 0x90) throw new Error(`CALCULATE ${k.name} answered ${reply[reply.length - 2].toString(16)}`);
      const value = new DataView(reply.buffer, reply.byteOffset + 3, 4).getUint32(0) & 0x7fffffff;
      return String(value % 10 ** reply[2]).padStart(reply[2], "0");
    });
  };
  const expected = keys.map((k) => totp(k.algorithm, k.key, when, k.digits));
  if (codes().join() !== expected.join()) throw new Error(`SHA-2 codes ${codes().join()} instead of ${expected.join()}`);

  // PIN set over USB: the reply waits for OK on the token (pressed from inside the emulation).
  exchange(token, ccid, apdu(0xa4, 0x04, 0x00, EXTENSION_AID));
  const pressAt = token.board.micros + 300_000;
  token.board.schedule(300_000, () => token.board.setButton(BUTTON_OK, true));
  token.board.schedule(400_000, () => token.board.setButton(BUTTON_OK, false));
  check(exchange(token, ccid, extApdu(0x50, 1, 0, [...new TextEncoder().encode(BENCH_PIN)])).sw, "PIN set");
  if (token.board.micros < pressAt) throw new Error("PIN set answered before the press");
  if (!token.runUntil(() => pinState(token, ccid)[2] === 5, 60_000)) throw new Error(`PIN set never finished: ${pinState(token, ccid)}`);
  check(exchange(token, ccid, extApdu(0x50, 3, 0)).sw, "PIN lock");

  // Unlock on the panel: a press opens the entry; UP/DOWN to each digit, a short OK, a long OK.
  const screen = () => frameToText({ pixels: token.board.display.frame(64), widthPx: 128, heightPx: 64 })[0];
  token.run(100);
  token.press(BUTTON_OK, 60, 100);
  if (screen() !== "Enter PIN") throw new Error(`the panel shows ${screen()}, not the PIN entry`);
  for (const char of BENCH_PIN) {
    const digit = Number(char);
    for (let i = 0; i < (digit <= 5 ? digit : 10 - digit); i++) token.press(digit <= 5 ? BUTTON_UP : BUTTON_DOWN, 60, 60);
    token.press(BUTTON_OK, 60, 100);
  }
  token.press(BUTTON_OK, 900, 100);
  if (!token.runUntil(() => pinState(token, ccid)[0] === 2, 60_000)) throw new Error(`no unlock: ${pinState(token, ccid)}`);
  if (codes().join() !== expected.join()) throw new Error("SHA-2 codes changed after sealing");
  const all = exchange(token, ccid, apdu(0xa4, 0x00, 0x01, tlv(0x74, challenge(T0))));
  check(all.sw, "CALCULATE ALL (sealed)");
  // A PIN token's everyday press: OK over a sealed slot, two slots on from those typed above (the
  // first DOWN may only wake the display).
  for (let i = 0; i < 2; i++) token.press(BUTTON_DOWN, 60, 100);
  const sealedPressUs = pressToReportUs(token);
  return `CALCULATE ALL ${ms(all.cycles)} ms; OK over a sealed slot, edge to first key report ${(sealedPressUs / 1000).toFixed(2)} ms emulated`;
}

/** Button edge to the first keyboard report for OK on the current slot, in emulated microseconds. */
function pressToReportUs(token: EmulatedToken): number {
  token.run(50);
  token.usb.drainIn(EP_KEYBOARD_IN);
  const pressedAt = token.board.micros;
  token.board.setButton(BUTTON_OK, true);
  token.board.run(200_000, () => (token.usb.inPackets.get(EP_KEYBOARD_IN)?.length ?? 0) > 0);
  const us = token.board.micros - pressedAt;
  if ((token.usb.inPackets.get(EP_KEYBOARD_IN)?.length ?? 0) === 0) throw new Error("OK typed nothing");
  token.board.setButton(BUTTON_OK, false);
  token.run(1500);
  return us;
}

const ms = (cycles: number) => (cycles / (CLK_SYS_HZ / 1000)).toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function readUint32(token: EmulatedToken, address: number): number {
  return token.board.rp2040.readUint32(address);
}

const bench: Bench = async () => {
  buildFirmware();
  const sections = firmwareSections();
  const symbols = firmwareSymbols();
  const moduleBytes = readFileSync(join(packageRoot(), "build", "totpkey.wasm")).length;
  const imageBytes = readFileSync(join(packageRoot(), "build", "firmware", "totpkey-rp2040.bin")).length;

  const credentials: StoreCredential[] = Array.from({ length: 100 }, (_, slot) => ({
    ...DEMO_CREDENTIAL, slot, name: `slot-${String(slot).padStart(2, "0")}@bench`,
  }));
  const token = new EmulatedToken({ flash: flashWith(credentials), rtcSeconds: T0 });
  const bootUs = token.bootToEnumeratedUs;
  // Boot phases from the UART lines the firmware prints as each ends.
  const lineAt = (prefix: string) => token.board.uartLineStarts.find((line) => token.board.uartText.startsWith(prefix, line.at))?.micros ?? NaN;
  const loadedUs = lineAt("module sha256"), initUs = lineAt("module init"), readyUs = lineAt("ready");
  const bootPhases = `load ${(loadedUs / 1000).toFixed(1)}, init ${((initUs - loadedUs) / 1000).toFixed(1)}, ` +
    `USB enumeration after "ready" ${((bootUs - readyUs) / 1000).toFixed(1)}`;
  const heapAfterBoot = readUint32(token, symbols.get("heap_high_water_bytes")!);

  const ccid = new CcidClient(token.usb);
  ccid.powerOn();
  exchange(token, ccid, apdu(0xa4, 0x04, 0x00, OATH_AID));
  const name = [...new TextEncoder().encode("slot-00@bench")];
  const calculate = apdu(0xa2, 0x00, 0x01, [...tlv(0x71, name), ...tlv(0x74, challenge(T0))]);
  const first = exchange(token, ccid, calculate);
  const warm = Array.from({ length: 5 }, () => exchange(token, ccid, calculate).cycles);
  const calculateAll = apdu(0xa4, 0x00, 0x01, tlv(0x74, challenge(T0)));
  const allFirst = exchange(token, ccid, calculateAll);
  token.board.profile = new Map();
  const allWarm = exchange(token, ccid, calculateAll);
  const profile = attributeSamples(token.board.profile);
  token.board.profile = null;
  const sampled = profile.reduce((sum, [, count]) => sum + count, 0);
  const hottest = profile.slice(0, 12).map(([name, count]) => `| \`${name}\` | ${(100 * count / sampled).toFixed(1)} % |`).join("\n");
  const empty = exchange(token, ccid, apdu(0xa4, 0x04, 0x00, OATH_AID)).cycles;

  // Button edge to the first keyboard report (OK types the selected slot's code): the first press
  // (wasm3 compiles the typing path), then a warm one on the next slot (a slot types once per step).
  const edgeToReportUs = pressToReportUs(token);
  token.board.setButton(BUTTON_DOWN, true);
  token.run(50);
  token.board.setButton(BUTTON_DOWN, false);
  const warmEdgeToReportUs = pressToReportUs(token);
  const heapAfterTimed = readUint32(token, symbols.get("heap_high_water_bytes")!);
  const codePeakTimed = readUint32(token, readUint32(token, symbols.get("wasm_code_peak_bytes")!));
  const sealedCosts = heavyWorkload(token, ccid);

  const heapAfter = readUint32(token, symbols.get("heap_high_water_bytes")!);
  const stack = cStackHighWaterBytes(token.board, symbols);
  const valueStack = valueStackHighWaterBytes(token.board, symbols);
  const data = sections.get(".data") ?? 0;
  const bss = sections.get(".bss") ?? 0;
  const ramUsed = data + bss + heapAfter + (sections.get(".stack") ?? 0);

  const rows = [
    `| boot2 | ${sections.get(".boot2")} B |`,
    `| .text (code, read-only data and the ${moduleBytes}-byte module) | ${sections.get(".text")} B |`,
    `| .data (initialised data, flash routines in RAM) | ${data} B |`,
    `| **image** (budget 256 KiB) | **${imageBytes} B = ${(imageBytes / KIB).toFixed(1)} KiB** |`,
    `| .bss (USB and APDU buffers, wasm3 host) | ${bss} B |`,
    `| heap high-water after boot (wasm3 runtime, module memory, compiled code) | ${heapAfterBoot} B |`,
    `| heap high-water after the timed workload below / after the heavy paths too | ${heapAfterTimed} B / ${heapAfter} B |`,
    `| compiled code (wasm3 code pages): most held after an event, in the timed workload / overall; drops (budget ${readUint32(token, readUint32(token, symbols.get("wasm_code_budget_bytes")!))} B) | ${codePeakTimed} B / ${readUint32(token, readUint32(token, symbols.get("wasm_code_peak_bytes")!))} B; ${readUint32(token, readUint32(token, symbols.get("wasm_code_drops")!))} |`,
    `| wasm3's blocks: most held at once / held at the end (the heap high-water less the first is holes between blocks) | ${readUint32(token, symbols.get("wasm3_live_peak_bytes")!)} B / ${readUint32(token, symbols.get("wasm3_live_bytes")!)} B |`,
    `| C stack reserved / high-water | ${sections.get(".stack")} B / ${stack} B |`,
    `| wasm3 value stack (in the heap) / high-water | ${readUint32(token, symbols.get("wasm_value_stack_end")!) - readUint32(token, symbols.get("wasm_value_stack_base")!)} B / ${valueStack} B |`,
    `| **RAM** (.data + .bss + heap + stack; budget 128 KiB) | **${ramUsed} B = ${(ramUsed / KIB).toFixed(1)} KiB** |`,
  ].join("\n");
  const timing = [
    `| boot to enumerated, 100 slots (target <= 100 ms) | ${(bootUs / 1000).toFixed(1)} ms emulated (${bootPhases} ms) |`,
    `| CALCULATE, SHA-1, 20-byte key, first call (compiles on first use) | ${first.cycles} cycles (${ms(first.cycles)} ms) |`,
    `| CALCULATE, warm, median of 5 (target <= 250,000; floor 1,000,000) | ${median(warm)} cycles (${ms(median(warm))} ms) |`,
    `| SELECT (USB + APDU overhead, for scale) | ${empty} cycles |`,
    `| CALCULATE ALL, 100 slots, first / warm (target <= 300 ms) | ${allFirst.cycles} / ${allWarm.cycles} cycles (${ms(allWarm.cycles)} ms warm) |`,
    `| button edge to first key report, first press / warm (target <= 3 ms) | ${(edgeToReportUs / 1000).toFixed(2)} / ${(warmEdgeToReportUs / 1000).toFixed(2)} ms emulated |`,
    `| heavy paths (not timed above): SHA-256 and SHA-512 CALCULATE, PIN set, lock, unlock on the panel; then, every slot sealed, CALCULATE ALL over 100 slots and a press | ${sealedCosts} |`,
  ].join("\n");
  if (first.sw !== 0x9000 || allWarm.sw !== 0x9000) throw new Error(`CALCULATE answered ${first.sw.toString(16)} / ${allWarm.sw.toString(16)}`);
  return {
    title: "RP2040 firmware (rp2040js)",
    markdown: `Built by \`npm run build:firmware\`, run in rp2040js at clk_sys = 125 MHz; wasm3 compiles each function on first use.\n\n` +
      `| size | |\n|---|---|\n${rows}\n\n| cost | |\n|---|---|\n${timing}\n\n` +
      `Where CALCULATE ALL spends its instructions (program counter sampled every 61 instructions, by C function; ` +
      `\`op_*\` are wasm3's operations):\n\n| function | share |\n|---|---|\n${hottest}\n\n${TUNING}`,
  };
};

export default bench;
