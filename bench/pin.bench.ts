// The cost of the PIN lock: PBKDF2-HMAC-SHA-256 iterations per second and ChaCha20-Poly1305
// record throughput of the module (build/testkit-aead.wasm) against node:crypto in Node, then the
// cycles of both under wasm3 on the emulated RP2040 (rp2040js), from which the provisional
// on-board iteration count follows.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { packageRoot, readModule } from "../host-sim/paths.js";
import { EmulatedBoard } from "../emulator/board.js";
import { measurePinUnlock } from "../emulator/pin-unlock.js";
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
const CLK_SYS_HZ = 125e6;
const UNLOCK_BUDGET_MICROS = 1_500_000;
// Share of the budget kept for the rest of an unlock (flash reads, display, the UI loop).
const UNLOCK_RESERVE = 0.1;

const PIN = Buffer.from("123456789012");
const SALT = Buffer.alloc(16, 0x5a);
const ITERATIONS_NODE = 1000;
// Iteration counts and seal repetitions run on the emulated board (differences give the marginal cost).
const BOARD_ITERATIONS = [1, 11, 111];
const BOARD_SEALS = [1, 11];
// The count the module uses for a new PIN (assembly/pin/index.ts PIN_ITERATIONS).
const MODULE_PIN_ITERATIONS = 450;

// A measurement image for the emulated RP2040: the board's startup, clocks, UART and timer code,
// wasm3 built as the firmware builds it, and build/testkit-aead.wasm. It times PBKDF2 and record
// sealing with the microsecond timer (which the emulator advances by executed cycles at 125 MHz).
const MEASURE_C = String.raw`
#include <stdint.h>
#include <string.h>
#include "rp2040_board.h"
#include "wasm3.h"
extern const uint8_t aead_wasm_start[], aead_wasm_end[];
static void fail(const char *what) { uart_puts("measure: failed "); uart_puts(what); uart_puts("\r\n"); for (;;) __asm volatile("wfi"); }
static void report(const char *label, uint32_t count, uint32_t micros) {
  uart_puts(label); uart_puts(" "); uart_decimal(count); uart_puts(" "); uart_decimal(micros); uart_puts("\r\n");
}
int main(void) {
  clocks_init();
  uart_init();
  IM3Environment env = m3_NewEnvironment();
  IM3Runtime runtime = m3_NewRuntime(env, TK_WASM_STACK_BYTES, NULL);
  IM3Module module;
  if (!env || !runtime || m3_ParseModule(env, &module, aead_wasm_start, (uint32_t)(aead_wasm_end - aead_wasm_start))) fail("parse");
  if (m3_LoadModule(runtime, module) || m3_CompileModule(module)) fail("load");
  IM3Function io, pbkdf2, seal;
  if (m3_FindFunction(&io, runtime, "ioBuffer") || m3_FindFunction(&pbkdf2, runtime, "pbkdf2HmacSha256") ||
      m3_FindFunction(&seal, runtime, "aeadSeal")) fail("exports");
  uint32_t base = 0, memoryBytes = 0;
  if (m3_CallV(io) || m3_GetResultsV(io, &base)) fail("ioBuffer");
  uint8_t *memory = m3_GetMemory(runtime, &memoryBytes, 0);
  memcpy(memory + base, "123456789012", 12);
  memset(memory + base + 128, 0x5a, 16);
  static const uint32_t iterations[] = {ITERATIONS_LIST};
  for (unsigned i = 0; i < sizeof iterations / sizeof iterations[0]; i++) {
    int32_t status = -1;
    uint64_t start = timer_us();
    if (m3_CallV(pbkdf2, base, 12, base + 128, 16, iterations[i], base + 256, 32) || m3_GetResultsV(pbkdf2, &status) || status) fail("pbkdf2");
    report("pbkdf2", iterations[i], (uint32_t)(timer_us() - start));
    uart_puts("key "); uart_hex(memory + base + 256, 32); uart_puts("\r\n");
  }
  static const uint32_t recordBytes[] = {32, 192};
  static const uint32_t seals[] = {SEALS_LIST};
  for (unsigned r = 0; r < 2; r++) {
    for (unsigned i = 0; i < sizeof seals / sizeof seals[0]; i++) {
      uint64_t start = timer_us();
      for (uint32_t n = 0; n < seals[i]; n++) {
        if (m3_CallV(seal, base, base + 128, base + 512, 16, base + 2048, recordBytes[r], base + 320)) fail("seal");
      }
      report(recordBytes[r] == 32 ? "seal32" : "seal192", seals[i], (uint32_t)(timer_us() - start));
    }
  }
  uart_puts("measure: done\r\n");
  for (;;) __asm volatile("wfi");
}
`;

function run(command: string, args: string[], cwd?: string): void {
  execFileSync(command, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
}

function have(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Builds the measurement image with the flags of scripts/build-firmware.sh; returns the flat image.
function buildMeasurementImage(outDir: string): Uint8Array {
  const root = packageRoot();
  const board = join(root, "boards", "rp2040");
  const wasm3Source = execFileSync("bash", [join(root, "scripts", "fetch-wasm3.sh")], { encoding: "utf8" }).trim();
  const cpu = ["-mcpu=cortex-m0plus", "-mthumb"];
  const configHeader = join(root, "boards", "common", "wasm3_config.h");
  const config = ["-include", configHeader];
  const includes = [`-I${board}`, `-I${join(root, "boards", "common")}`, `-I${wasm3Source}`];
  const boardFlags = [...cpu, "-Os", "-g", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-DTK_COMPILE_AT_BOOT=0", ...config, ...includes];
  const wasm3Flags = [...cpu, "-O2", "-g", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-fomit-frame-pointer", "-w", ...config, `-I${wasm3Source}`];
  const gcc = "arm-none-eabi-gcc";
  const objects: string[] = [];
  // boot2, checksummed as the bootrom expects.
  run(gcc, [...cpu, "-c", join(board, "boot2.S"), "-o", join(outDir, "boot2.o")]);
  run("arm-none-eabi-objcopy", ["-O", "binary", "--only-section=.boot2_code", join(outDir, "boot2.o"), join(outDir, "boot2.bin")]);
  run(process.execPath, [join(board, "tools", "boot2-checksum.mjs"), join(outDir, "boot2.bin"), join(outDir, "boot2-checksummed.bin")]);
  writeFileSync(join(outDir, "boot2-image.S"), `.section .boot2, "a"\n.incbin "${join(outDir, "boot2-checksummed.bin")}"\n`);
  writeFileSync(join(outDir, "module-image.S"), `.section .rodata.aead_wasm, "a"\n.balign 4\n.global aead_wasm_start, aead_wasm_end\n` +
    `aead_wasm_start:\n.incbin "${join(root, "build", "testkit-aead.wasm")}"\naead_wasm_end:\n`);
  for (const name of ["boot2-image", "module-image"]) {
    run(gcc, [...cpu, "-c", join(outDir, `${name}.S`), "-o", join(outDir, `${name}.o`)]);
    objects.push(join(outDir, `${name}.o`));
  }
  mkdirSync(join(outDir, "wasm3"), { recursive: true });
  for (const file of readdirSync(wasm3Source).filter((f) => /^m3_.*\.c$/.test(f)).sort()) {
    const object = join(outDir, "wasm3", file.replace(/\.c$/, ".o"));
    // Kept between runs; rebuilt when wasm3's source or the board's configuration is newer.
    const newest = Math.max(statSync(join(wasm3Source, file)).mtimeMs, statSync(configHeader).mtimeMs);
    if (!existsSync(object) || statSync(object).mtimeMs < newest) run(gcc, [...wasm3Flags, "-c", join(wasm3Source, file), "-o", object]);
    objects.push(object);
  }
  for (const name of ["startup", "clocks", "uart", "timer", "syscalls"]) {
    run(gcc, [...boardFlags, "-c", join(board, `${name}.c`), "-o", join(outDir, `board-${name}.o`)]);
    objects.push(join(outDir, `board-${name}.o`));
  }
  writeFileSync(join(outDir, "measure.c"), MEASURE_C.replace("ITERATIONS_LIST", BOARD_ITERATIONS.join(", ")).replace("SEALS_LIST", BOARD_SEALS.join(", ")));
  run(gcc, [...boardFlags, "-c", join(outDir, "measure.c"), "-o", join(outDir, "measure.o")]);
  objects.push(join(outDir, "measure.o"));
  run(gcc, [...cpu, "-nostartfiles", "-Wl,--gc-sections", `-Wl,-T,${join(board, "memmap.ld")}`, "--specs=nano.specs", "--specs=nosys.specs",
    ...objects, "-lc", "-lgcc", "-o", join(outDir, "measure.elf")]);
  run("arm-none-eabi-objcopy", ["-O", "binary", join(outDir, "measure.elf"), join(outDir, "measure.bin")]);
  return new Uint8Array(readFileSync(join(outDir, "measure.bin")));
}

interface BoardTimes {
  pbkdf2Micros: Map<number, number>;
  seal32Micros: Map<number, number>;
  seal192Micros: Map<number, number>;
}

// Runs the image on the emulated board and reads the times it reports, or says why it cannot.
function measureOnBoard(): BoardTimes | string {
  for (const tool of ["arm-none-eabi-gcc", "arm-none-eabi-objcopy"]) {
    if (!have(tool)) return `\`${tool}\` is not installed (scripts/setup-system.sh installs it)`;
  }
  const outDir = join(packageRoot(), "build", "bench-pin");
  mkdirSync(outDir, { recursive: true });
  const board = new EmulatedBoard({ image: buildMeasurementImage(outDir) });
  const done = () => board.uartText.includes("measure: done") || board.uartText.includes("measure: failed");
  board.run(120_000_000, done);
  if (!board.uartText.includes("measure: done")) throw new Error(`measurement image did not finish:\n${board.uartText}`);
  const times: BoardTimes = { pbkdf2Micros: new Map(), seal32Micros: new Map(), seal192Micros: new Map() };
  const keys = [...board.uartText.matchAll(/^key ([0-9a-f]{64})/gm)].map((m) => m[1]);
  BOARD_ITERATIONS.forEach((count, i) => {
    if (keys[i] !== pbkdf2Sync(PIN, SALT, count, 32, "sha256").toString("hex")) throw new Error(`board PBKDF2 (${count}) disagrees with node:crypto`);
  });
  for (const [, label, count, micros] of board.uartText.matchAll(/^(pbkdf2|seal32|seal192) (\d+) (\d+)/gm)) {
    const map = label === "pbkdf2" ? times.pbkdf2Micros : label === "seal32" ? times.seal32Micros : times.seal192Micros;
    map.set(Number(count), Number(micros));
  }
  return times;
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

  let boardSection: string;
  const measured = measureOnBoard();
  if (typeof measured === "string") {
    boardSection = `Skipped the emulator measurement: ${measured}.`;
  } else {
    const [few, some, many] = BOARD_ITERATIONS;
    const micros = measured.pbkdf2Micros;
    const perIterationMicros = (micros.get(many)! - micros.get(some)!) / (many - some);
    const setupMicros = micros.get(few)! - few * perIterationMicros;
    const perSeal = (map: Map<number, number>): number => (map.get(BOARD_SEALS[1])! - map.get(BOARD_SEALS[0])!) / (BOARD_SEALS[1] - BOARD_SEALS[0]);
    const seal32Micros = perSeal(measured.seal32Micros);
    const seal192Micros = perSeal(measured.seal192Micros);
    // An unlock: derive, then open one small check record (the wrapped data key).
    const available = UNLOCK_BUDGET_MICROS * (1 - UNLOCK_RESERVE) - setupMicros - seal32Micros;
    const provisional = Math.floor(available / perIterationMicros / 10) * 10;
    const cycles = (us: number): string => Math.round((us * CLK_SYS_HZ) / 1e6).toLocaleString("en-US");
    const ms = (us: number): string => (us / 1000).toFixed(2);
    boardSection = [
      `Counted in the rp2040js emulator (emulator/board.ts, 125 MHz): a measurement image built from`,
      `the board's startup, clock, UART and timer code and wasm3 0.5.0 with the firmware's flags and`,
      `configuration (boards/common/wasm3_config.h), running build/testkit-aead.wasm. Marginal costs`,
      `(differences of runs of ${BOARD_ITERATIONS.join(", ")} iterations and of ${BOARD_SEALS.join(" and ")} seals):`,
      ``,
      `| work on the board | time | cycles |`,
      `|---|---|---|`,
      `| one PBKDF2-HMAC-SHA-256 iteration (2 SHA-256 compressions) | ${ms(perIterationMicros)} ms | ${cycles(perIterationMicros)} |`,
      `| PBKDF2 set-up (HMAC key preparation, first block) | ${ms(setupMicros)} ms | ${cycles(setupMicros)} |`,
      `| sealing (or opening) a 32-byte record | ${ms(seal32Micros)} ms | ${cycles(seal32Micros)} |`,
      `| sealing (or opening) a 192-byte record | ${ms(seal192Micros)} ms | ${cycles(seal192Micros)} |`,
      ``,
      `**Provisional iteration count: ${provisional}** (${(1000 / perIterationMicros * 1000).toFixed(0)} iterations per second), so that the`,
      `derivation plus opening one 32-byte check record stays within 1.5 s with ${(UNLOCK_RESERVE * 100).toFixed(0)}% kept for the rest`,
      `of the unlock. It is provisional because the emulator counts the core's instruction cycles but`,
      `not XIP flash wait states or cache misses: on the board wasm3 runs from flash through the 16 KiB`,
      `XIP cache, so the firmware work confirms the count with its own image (and on hardware), and`,
      `re-measures whenever wasm3's configuration, the compiler flags or the SHA-256 code change.`,
      `Opening slot records is costly (Poly1305's 64-bit multiplies are libgcc calls on the M0+), so an`,
      `unlock should open only the check record and leave slot records to when they are used.`,
      `Node's figures above say nothing about the board: V8 compiles the module, wasm3 interprets it.`,
    ].join("\n");
  }

  // The same on the full firmware (emulator/pin-unlock.ts): the unlock a person waits for.
  const unlock = measurePinUnlock(6);
  const unlockMs = unlock.unlockMicros / 1000;
  const fitting = Math.floor((MODULE_PIN_ITERATIONS * (UNLOCK_BUDGET_MICROS * (1 - UNLOCK_RESERVE))) / unlock.unlockMicros / 10) * 10;
  const firmwareSection = [
    `On the full firmware (build/firmware image in the emulator, emulator/pin-unlock.ts), with a 6-digit`,
    `PIN and one account: from the release of the entry's final long OK to the "Unlocked" frame`,
    `**${unlockMs.toFixed(0)} ms** for the module's count of ${MODULE_PIN_ITERATIONS} (the core busy ${(unlock.unlockCycles / CLK_SYS_HZ * 1000).toFixed(0)} ms of it, ` +
      `${unlock.frames} frames drawn: the progress bar);`,
    `setting the PIN (confirming press to DEVICE INFO's "set") ${(unlock.setMicros / 1000).toFixed(0)} ms. The derivation runs from the tick`,
    `in 16 ms slices, beside the rest of the module's work there (a frame only when the progress bar grows a`,
    `16-pixel step, no periodic redraws), so an unlock takes a little longer than the bare iterations above.`,
    `The emulator does not time the I2C bus: on the board each frame adds its 1 KiB transfer (about 23 ms at`,
    `400 kHz). USB is served meanwhile: during the set's derivation a DEVICE INFO over CCID took at most`,
    `${(unlock.deriving.ccidApduMaxMicros / 1000).toFixed(0)} ms, one over the HID vendor interface ${(unlock.deriving.hidApduMicros / 1000).toFixed(0)} ms, the keyboard's LED report (a control`,
    `transfer) ${(unlock.deriving.keyboardLedsMicros / 1000).toFixed(0)} ms. At this rate the count that keeps an unlock within 1.5 s with`,
    `${(UNLOCK_RESERVE * 100).toFixed(0)}% kept is ${fitting} (time taken as proportional to the count). The module's`,
    `count stays below it so that the ${unlock.frames} frames' untimed transfers (~${unlock.frames * 23} ms) fit in the 1.5 s as well.`,
  ].join("\n");

  const markdown = [
    `### PBKDF2-HMAC-SHA-256 in Node`,
    ``,
    `A 12-digit PIN, 16-byte salt, 32-byte key, ${ITERATIONS_NODE} iterations per derivation; iterations per second:`,
    ``,
    `| module in Node (V8) | node:crypto (OpenSSL) | module / node |`,
    `|---|---|---|`,
    `| ${formatRate(moduleIterations)} | ${formatRate(nodeIterations)} | ${(moduleIterations / nodeIterations).toFixed(2)} |`,
    ``,
    `### ChaCha20-Poly1305 records in Node`,
    ``,
    `Seal + open pairs per second of one record with 16 bytes of AAD (node:crypto includes its cipher`,
    `setup per record, as the token has per record):`,
    ``,
    `| record | module in Node | node:crypto |`,
    `|---|---|---|`,
    ...aeadRows,
    ``,
    `### On the board: the iteration count`,
    ``,
    `The count is stored with the salt, so the token can raise it later (re-wrapping the data key).`,
    ``,
    boardSection,
    ``,
    firmwareSection,
  ].join("\n");
  if (sink === 0x1234567) process.stderr.write("");
  return { title: "PIN lock: PBKDF2 and AEAD", markdown };
};
export default bench;
