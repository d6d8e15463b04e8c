// The cost of the PIN lock: PBKDF2-HMAC-SHA-256 iterations per second and ChaCha20-Poly1305
// record throughput of the module (build/testkit-aead.wasm) against node:crypto, then the
// instructions per PBKDF2 iteration under wasm3 (the board's interpreter, built for this machine
// and counted with valgrind), from which the provisional on-board iteration count is estimated.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { packageRoot, readModule } from "../host-sim/paths.js";
import { measureSideBySide, formatRate } from "./otp.bench.js";
import type { Bench } from "./run.js";

interface AeadKit {
  memory: WebAssembly.Memory;
  ioBuffer(): number;
  aeadSeal(key: number, nonce: number, aad: number, aadBytes: number, data: number, dataBytes: number, tagOut: number): number;
  aeadOpen(key: number, nonce: number, aad: number, aadBytes: number, data: number, dataBytes: number, tag: number): number;
  pbkdf2HmacSha256(password: number, passwordBytes: number, salt: number, saltBytes: number, iterations: number, keyOut: number, keyBytes: number): number;
}

// The budget of issue 9: unlocking takes at most 1.5 s on the RP2040 at 125 MHz.
const UNLOCK_BUDGET_CYCLES = 1.5 * 125e6;
// Share of the budget left for the rest of an unlock (opening records, flash reads, display).
const UNLOCK_RESERVE = 0.1;
// Converting x86-64 instructions under wasm3 into Cortex-M0+ cycles (see the text of the section):
// Thumb-1 instructions per x86-64 instruction, and M0+ cycles per Thumb-1 instruction.
const THUMB_PER_X86 = 1.5;
const M0_CYCLES_PER_THUMB = 1.6;

const PIN = Buffer.from("123456789012");
const SALT = Buffer.alloc(16, 0x5a);
const ITERATIONS_NODE = 1000;

// A small wasm3 embedding for this machine: loads the test module and runs one export N times.
const HARNESS_C = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasm3.h"
static unsigned char wasm[1 << 16];
int main(int argc, char **argv) {
  if (argc != 4) return 2;
  FILE *file = fopen(argv[1], "rb");
  if (!file) return 2;
  size_t bytes = fread(wasm, 1, sizeof wasm, file);
  fclose(file);
  unsigned count = (unsigned)strtoul(argv[3], NULL, 10);
  IM3Environment env = m3_NewEnvironment();
  IM3Runtime runtime = m3_NewRuntime(env, 8192, NULL);
  IM3Module module;
  M3Result result = m3_ParseModule(env, &module, wasm, bytes);
  if (!result) result = m3_LoadModule(runtime, module);
  if (!result) result = m3_CompileModule(module);
  IM3Function io, run;
  if (!result) result = m3_FindFunction(&io, runtime, "ioBuffer");
  if (!result) result = m3_CallV(io);
  uint32_t base = 0, memoryBytes = 0;
  if (!result) result = m3_GetResultsV(io, &base);
  if (result) { fprintf(stderr, "%s\n", result); return 1; }
  uint8_t *memory = m3_GetMemory(runtime, &memoryBytes, 0);
  memcpy(memory + base, "123456789012", 12);
  memset(memory + base + 128, 0x5a, 16);
  int32_t status = 0;
  if (!strcmp(argv[2], "pbkdf2")) {
    result = m3_FindFunction(&run, runtime, "pbkdf2HmacSha256");
    if (!result) result = m3_CallV(run, base, 12, base + 128, 16, count, base + 256, 32);
    if (!result) result = m3_GetResultsV(run, &status);
    for (int i = 0; i < 32; i++) printf("%02x", memory[base + 256 + i]);
    printf("\n");
  } else {
    result = m3_FindFunction(&run, runtime, "aeadSeal");
    for (unsigned i = 0; i < count && !result; i++) {
      result = m3_CallV(run, base, base + 128, base + 512, 16, base + 2048, 192, base + 256);
      if (!result) result = m3_GetResultsV(run, &status);
    }
  }
  if (result || status != 0) { fprintf(stderr, "%s %d\n", result ? result : "status", status); return 1; }
  return 0;
}
`;

function which(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Instructions (valgrind's Ir) of one run of the harness.
function countInstructions(harness: string, modulePath: string, what: string, count: number, outDir: string): number {
  const out = join(outDir, `callgrind.${what}.${count}`);
  execFileSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, harness, modulePath, what, String(count)], { stdio: ["ignore", "ignore", "ignore"] });
  const summary = readFileSync(out, "utf8").match(/^(?:summary|totals): (\d+)/m);
  if (!summary) throw new Error("no instruction total in the callgrind output");
  return Number(summary[1]);
}

interface Wasm3Count {
  instructionsPerIteration: number;
  instructionsPerSeal: number;
}

// Builds the harness with gcc against the pinned wasm3 source and counts the marginal cost of
// PBKDF2 iterations and of sealing a 192-byte record. A string saying why when it cannot run.
function wasm3Count(): Wasm3Count | string {
  for (const tool of ["gcc", "valgrind"]) if (!which(tool)) return `\`${tool}\` is not installed`;
  const root = packageRoot();
  const source = execFileSync("bash", [join(root, "scripts", "fetch-wasm3.sh")], { encoding: "utf8" }).trim();
  const outDir = join(root, "build", "bench-pin");
  mkdirSync(outDir, { recursive: true });
  const harnessSource = join(outDir, "harness.c");
  const harness = join(outDir, "harness");
  writeFileSync(harnessSource, HARNESS_C);
  // The board's wasm3 configuration, and the flags of the native host (boards/native/Makefile).
  const sources = readdirSorted(source).filter((f) => /^m3_.*\.c$/.test(f)).map((f) => join(source, f));
  execFileSync("gcc", ["-std=gnu11", "-O2", "-fomit-frame-pointer", "-w", "-include", join(root, "boards", "common", "wasm3_config.h"),
    `-I${source}`, harnessSource, ...sources, "-o", harness], { stdio: ["ignore", "ignore", "inherit"] });
  const modulePath = join(root, "build", "testkit-aead.wasm");
  const printed = execFileSync(harness, [modulePath, "pbkdf2", "1000"], { encoding: "utf8" }).trim();
  if (printed !== pbkdf2Sync(PIN, SALT, 1000, 32, "sha256").toString("hex")) throw new Error("wasm3 run of PBKDF2 disagrees with node:crypto");
  const [fewIterations, manyIterations] = [200, 1200];
  const perIteration = (countInstructions(harness, modulePath, "pbkdf2", manyIterations, outDir) -
    countInstructions(harness, modulePath, "pbkdf2", fewIterations, outDir)) / (manyIterations - fewIterations);
  const [fewSeals, manySeals] = [10, 110];
  const perSeal = (countInstructions(harness, modulePath, "seal", manySeals, outDir) -
    countInstructions(harness, modulePath, "seal", fewSeals, outDir)) / (manySeals - fewSeals);
  return { instructionsPerIteration: perIteration, instructionsPerSeal: perSeal };
}

function readdirSorted(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`${dir} is missing`);
  return readdirSync(dir).sort();
}

const bench: Bench = async () => {
  const kit = instantiateWithHost<AeadKit>(readModule("testkit-aead"), quietDevices()).exports;
  const io = kit.ioBuffer();
  const memory = (): Uint8Array => new Uint8Array(kit.memory.buffer);
  const [PASSWORD_AT, SALT_AT, KEY_AT, TAG_AT, NONCE_AT, AAD_AT, DATA_AT] = [0, 128, 256, 320, 384, 512, 2048].map((o) => io + o);
  memory().set(PIN, PASSWORD_AT);
  memory().set(SALT, SALT_AT);
  let sink = 0;

  // PBKDF2: the module must agree with node:crypto before its speed means anything.
  kit.pbkdf2HmacSha256(PASSWORD_AT, PIN.length, SALT_AT, SALT.length, ITERATIONS_NODE, KEY_AT, 32);
  if (!Buffer.from(memory().slice(KEY_AT, KEY_AT + 32)).equals(pbkdf2Sync(PIN, SALT, ITERATIONS_NODE, 32, "sha256"))) {
    throw new Error("module PBKDF2 disagrees with node:crypto");
  }
  const pbkdf2Rates = measureSideBySide([
    { name: "module", work: (count) => { for (let i = 0; i < count; i++) kit.pbkdf2HmacSha256(PASSWORD_AT, PIN.length, SALT_AT, SALT.length, ITERATIONS_NODE, KEY_AT, 32); } },
    { name: "node", work: (count) => { for (let i = 0; i < count; i++) sink ^= pbkdf2Sync(PIN, SALT, ITERATIONS_NODE, 32, "sha256")[0]; } },
  ], 5, 300);
  const moduleIterations = pbkdf2Rates.get("module")! * ITERATIONS_NODE;
  const nodeIterations = pbkdf2Rates.get("node")! * ITERATIONS_NODE;

  // AEAD: sealing and opening records of the sizes the store writes (a name, a secret, both).
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const aad = Buffer.from("slot-record-v1\x00\x03");
  memory().set(key, KEY_AT);
  memory().set(nonce, NONCE_AT);
  memory().set(aad, AAD_AT);
  const aeadRows: string[] = [];
  for (const recordBytes of [32, 192, 512]) {
    const plaintext = randomBytes(recordBytes);
    memory().set(plaintext, DATA_AT);
    kit.aeadSeal(KEY_AT, NONCE_AT, AAD_AT, aad.length, DATA_AT, recordBytes, TAG_AT);
    const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
    cipher.setAAD(aad, { plaintextLength: recordBytes });
    const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const got = Buffer.concat([memory().slice(DATA_AT, DATA_AT + recordBytes), memory().slice(TAG_AT, TAG_AT + 16)]);
    if (!got.equals(expected)) throw new Error(`module AEAD disagrees with node:crypto on ${recordBytes} bytes`);
    const rates = measureSideBySide([
      // Seal then open restores the buffer, so every round works on the same record.
      { name: "module", work: (count) => { for (let i = 0; i < count; i++) { kit.aeadSeal(KEY_AT, NONCE_AT, AAD_AT, aad.length, DATA_AT, recordBytes, TAG_AT); sink ^= kit.aeadOpen(KEY_AT, NONCE_AT, AAD_AT, aad.length, DATA_AT, recordBytes, TAG_AT); } } },
      { name: "node", work: (count) => {
        for (let i = 0; i < count; i++) {
          const sealer = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
          sealer.setAAD(aad, { plaintextLength: recordBytes });
          const sealed = Buffer.concat([sealer.update(plaintext), sealer.final()]);
          const opener = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
          opener.setAAD(aad, { plaintextLength: recordBytes });
          opener.setAuthTag(sealer.getAuthTag());
          sink ^= Buffer.concat([opener.update(sealed), opener.final()])[0];
        }
      } },
    ], 5, 200);
    const mbps = (pairsPerSecond: number): string => `${((pairsPerSecond * 2 * recordBytes) / 1e6).toFixed(1)} MB/s`;
    aeadRows.push(`| ${recordBytes} B | ${formatRate(rates.get("module")!)}/s (${mbps(rates.get("module")!)}) | ` +
      `${formatRate(rates.get("node")!)}/s (${mbps(rates.get("node")!)}) |`);
  }

  let wasm3Section: string;
  const counted = wasm3Count();
  if (typeof counted === "string") {
    wasm3Section = `Skipped the wasm3 instruction count: ${counted}. The estimate below then has no measured input.`;
  } else {
    const cyclesPerIteration = counted.instructionsPerIteration * THUMB_PER_X86 * M0_CYCLES_PER_THUMB;
    const estimate = (UNLOCK_BUDGET_CYCLES * (1 - UNLOCK_RESERVE)) / cyclesPerIteration;
    const low = (UNLOCK_BUDGET_CYCLES * (1 - UNLOCK_RESERVE)) / (counted.instructionsPerIteration * 2 * 2);
    const high = (UNLOCK_BUDGET_CYCLES * (1 - UNLOCK_RESERVE)) / (counted.instructionsPerIteration * 1.2 * 1.3);
    const sealCycles = counted.instructionsPerSeal * THUMB_PER_X86 * M0_CYCLES_PER_THUMB;
    const round = (n: number): number => Math.floor(n / 50) * 50;
    wasm3Section = [
      `Under wasm3 0.5.0 (the board's configuration, boards/common/wasm3_config.h, built with gcc -O2 for`,
      `this x86-64 machine, counted with valgrind's callgrind as the difference of two runs):`,
      ``,
      `| work | x86-64 instructions |`,
      `|---|---|`,
      `| one PBKDF2-HMAC-SHA-256 iteration (2 SHA-256 compressions) | ${Math.round(counted.instructionsPerIteration).toLocaleString("en-US")} |`,
      `| sealing one 192-byte record (4 ChaCha20 blocks, 14 Poly1305 blocks) | ${Math.round(counted.instructionsPerSeal).toLocaleString("en-US")} |`,
      ``,
      `**Provisional on-board iteration count (an estimate, not a measurement): about ${round(estimate)}**`,
      `(plausible range ${round(low)} to ${round(high)}). Reasoning: wasm3 executes the same operation`,
      `handlers on both machines; a Cortex-M0+ runs Thumb-1 (mostly 8 usable registers, no scaled`,
      `index addressing, no conditional execution, 8-bit immediates), so a handler takes about`,
      `${THUMB_PER_X86}x the instructions (range 1.2 to 2), and each costs about ${M0_CYCLES_PER_THUMB} cycles on average (loads 2,`,
      `taken branches and the indirect jump that ends every handler 3; range 1.3 to 2), assuming the hot`,
      `handlers stay in the 16 KiB XIP cache or are placed in SRAM. That is about`,
      `${Math.round(cyclesPerIteration).toLocaleString("en-US")} cycles per iteration; ${(UNLOCK_RESERVE * 100).toFixed(0)}% of the`,
      `1.5 s x 125 MHz = ${(UNLOCK_BUDGET_CYCLES / 1e6).toFixed(1)} M cycle budget is kept for the rest of an unlock`,
      `(opening a 192-byte record costs about ${Math.round(sealCycles).toLocaleString("en-US")} cycles by the same conversion, and`,
      `more in truth: Poly1305's 64-bit multiplies are one x86-64 instruction but a libgcc call on the`,
      `M0+, so an unlock should open one small check record and leave slot records to when they are`,
      `used). SHA-256 is 32-bit code, so the conversion fits PBKDF2 better than it fits the AEAD.`,
      `Measured speed in Node says nothing about the board: V8 compiles the module to native code,`,
      `wasm3 interprets it.`,
    ].join("\n");
  }

  const markdown = [
    `### PBKDF2-HMAC-SHA-256`,
    ``,
    `A 12-digit PIN, 16-byte salt, 32-byte key, ${ITERATIONS_NODE} iterations per derivation; iterations per second:`,
    ``,
    `| module in Node (V8) | node:crypto (OpenSSL) | module / node |`,
    `|---|---|---|`,
    `| ${formatRate(moduleIterations)} | ${formatRate(nodeIterations)} | ${(moduleIterations / nodeIterations).toFixed(2)} |`,
    ``,
    `### ChaCha20-Poly1305 records`,
    ``,
    `Seal + open pairs per second of one record with 16 bytes of AAD (node:crypto includes its cipher`,
    `setup per record, as the token has per record):`,
    ``,
    `| record | module in Node | node:crypto |`,
    `|---|---|---|`,
    ...aeadRows,
    ``,
    `### On the board: calibrating the iteration count`,
    ``,
    `The count is stored with the salt (the token can raise it later and re-wrap the key). It is`,
    `calibrated by the firmware work in the rp2040js emulator: run pbkdf2Step with a fixed budget`,
    `under wasm3 on the emulated RP2040 at 125 MHz, count the cycles per iteration, and set the count`,
    `so that derivation plus opening the records takes at most 1.5 s; re-measure whenever wasm3's`,
    `configuration, the compiler flags or the SHA-256 code changes. Until then:`,
    ``,
    wasm3Section,
  ].join("\n");
  if (sink === 0x1234567) process.stderr.write("");
  return { title: "PIN lock: PBKDF2 and AEAD", markdown };
};
export default bench;
