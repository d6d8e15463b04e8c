// Shared by the native-host tests: builds build/native/totpkey-native (scripts/build-native.sh),
// runs it on a scenario with a fresh flash image, and builds the ABI probe module from WAT.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import binaryen from "binaryen";
import { packageRoot } from "../host-sim/paths.js";

export const root = packageRoot();
export const nativeHost = join(root, "build", "native", "totpkey-native");

/** Builds the native host; a missing compiler, make or python3/pip fails the build loudly. */
export function buildNative(): void {
  try {
    execFileSync("bash", [join(root, "scripts", "build-native.sh")], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as { stderr?: Buffer; message: string };
    throw new Error(`scripts/build-native.sh failed (needs gcc, make, python3 with pip, PyPI):\n${failure.stderr?.toString() ?? failure.message}`);
  }
}

export interface NativeRun {
  stdout: string;
  stderr: string;
  /** The exit code; null only when a signal killed the process (a crash). */
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the native host on `script` (stdin), on a fresh erased flash image. */
export function runNative(script: string, modulePath?: string, extraArgs: string[] = []): NativeRun {
  const dir = mkdtempSync(join(tmpdir(), "totpkey-native-"));
  try {
    const args = ["--flash", join(dir, "flash.img"), ...extraArgs];
    if (modulePath !== undefined) args.push("--module", modulePath);
    const result = spawnSync(nativeHost, [...args, "-"], { input: script, encoding: "utf8", timeout: 60_000 });
    if (result.error) throw result.error;
    return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Binary from WAT (binaryen), with the features AssemblyScript's output uses. */
export function wasmFromWat(wat: string): Uint8Array {
  const parsed = binaryen.parseText(wat);
  try {
    parsed.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt |
      binaryen.Features.MutableGlobals);
    if (!parsed.validate()) throw new Error("the WAT module does not validate");
    return parsed.emitBinary();
  } finally {
    parsed.dispose();
  }
}

/**
 * The ABI probe: a hand-written module that imports every host function and exports the token ABI.
 * apdu() reads an operation byte and four little-endian u32 arguments (at apdu_buffer() + 1, + 5,
 * + 9, + 13; a payload may follow at + 17) and calls one import with them, so a test can hand any
 * import any pointer, valid or not. Results come back through apdu_response.
 */
export const PROBE_APDU_BUFFER = 0x1000;
export const PROBE_PAYLOAD = PROBE_APDU_BUFFER + 17;
export const PROBE_INIT_PANIC_FLAGS = 0xdead;
export const probeOps = {
  flashRead: 1, flashProgram: 2, flashErase: 3, nowMs: 4, rtcRead: 5, rtcWrite: 6, randomFill: 7,
  keyboardReport: 8, displayFrame: 9, apduResponse: 10, log: 11, panic: 12, hostInfo: 13,
  unreachable: 14, load: 15, state: 16, features: 17, recurse: 18, dropCompiledCode: 19,
  /** Answers like `state`, but apdu_routine() calls it provisioning (0). */
  provisioning: 20,
} as const;

export const PROBE_WAT = `
(module
  (import "host" "flash_read" (func $flash_read (param i32 i32 i32) (result i32)))
  (import "host" "flash_program" (func $flash_program (param i32 i32 i32) (result i32)))
  (import "host" "flash_erase" (func $flash_erase (param i32) (result i32)))
  (import "host" "now_ms" (func $now_ms (result i64)))
  (import "host" "rtc_read" (func $rtc_read (result i64)))
  (import "host" "rtc_write" (func $rtc_write (param i64) (result i32)))
  (import "host" "random_fill" (func $random_fill (param i32 i32) (result i32)))
  (import "host" "keyboard_report" (func $keyboard_report (param i32 i32) (result i32)))
  (import "host" "display_frame" (func $display_frame (param i32 i32 i32 i32)))
  (import "host" "apdu_response" (func $apdu_response (param i32 i32)))
  (import "host" "log" (func $log (param i32 i32 i32)))
  (import "host" "panic" (func $panic (param i32 i32 i32)))
  (import "host" "host_info" (func $host_info (param i32 i32) (result i32)))
  (import "host" "drop_compiled_code" (func $drop_compiled_code))
  (memory $memory 1 1)
  (export "memory" (memory $memory))
  (global $ticks (mut i32) (i32.const 0))
  (global $buttons (mut i32) (i32.const 0))
  (global $leds (mut i32) (i32.const 0))
  (data (i32.const 0x200) "probe init")
  (data (i32.const 0x210) "init refused")
  (data (i32.const 0x400) "\\01\\02\\04\\08")

  ;; init logs, draws a 128x32 frame, and returns -flags (flags 0xdead: panics instead).
  (func $init (param i32 i32 i32 i32 i32) (result i32)
    (if (i32.eq (local.get 4) (i32.const ${PROBE_INIT_PANIC_FLAGS}))
      (then (call $panic (i32.const 0x210) (i32.const 12) (i32.const 7)) (unreachable)))
    (call $log (i32.const 2) (i32.const 0x200) (i32.const 10))
    (call $display_frame (i32.const 0x400) (i32.const 512) (i32.const 128) (i32.const 32))
    (i32.sub (i32.const 0) (local.get 4)))
  (func $tick (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))
  ;; every edge shifts the history left by 3 bits and adds id * 2 + down
  (func $button (param i32 i32)
    (global.set $buttons (i32.add (i32.shl (global.get $buttons) (i32.const 3))
      (i32.add (i32.shl (local.get 0) (i32.const 1)) (local.get 1)))))
  (func $keyboard_leds (param i32) (global.set $leds (local.get 0)))
  (func $apdu_buffer (result i32) (i32.const ${PROBE_APDU_BUFFER}))
  (func $apdu_capacity (result i32) (i32.const 4112))
  (func $session_reset)
  (func $apdu_routine (param i32) (result i32)
    (i32.ne (i32.load8_u (i32.const ${PROBE_APDU_BUFFER})) (i32.const 20)))
  (func $arg (param $n i32) (result i32)
    (i32.load align=1 (i32.add (i32.const ${PROBE_APDU_BUFFER + 1}) (i32.shl (local.get $n) (i32.const 2)))))
  (func $reply32 (param i32) (i32.store (i32.const 0x100) (local.get 0)) (call $apdu_response (i32.const 0x100) (i32.const 4)))
  (func $reply64 (param i64) (i64.store (i32.const 0x100) (local.get 0)) (call $apdu_response (i32.const 0x100) (i32.const 8)))
  (func $replyEmpty (call $apdu_response (i32.const 0x100) (i32.const 0)))
  (func $recurse (param i32) (result i32) (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $apdu (param $length i32)
    (local $op i32)
    (local.set $op (i32.load8_u (i32.const ${PROBE_APDU_BUFFER})))
    (block $done
      (if (i32.eq (local.get $op) (i32.const 1)) (then
        (call $reply32 (call $flash_read (call $arg (i32.const 0)) (call $arg (i32.const 1)) (call $arg (i32.const 2)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 2)) (then
        (call $reply32 (call $flash_program (call $arg (i32.const 0)) (call $arg (i32.const 1)) (call $arg (i32.const 2)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 3)) (then
        (call $reply32 (call $flash_erase (call $arg (i32.const 0)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 4)) (then (call $reply64 (call $now_ms)) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 5)) (then (call $reply64 (call $rtc_read)) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 6)) (then
        (call $reply32 (call $rtc_write (i64.or (i64.extend_i32_u (call $arg (i32.const 0)))
          (i64.shl (i64.extend_i32_u (call $arg (i32.const 1))) (i64.const 32))))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 7)) (then
        (call $reply32 (call $random_fill (call $arg (i32.const 0)) (call $arg (i32.const 1)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 8)) (then
        (call $reply32 (call $keyboard_report (call $arg (i32.const 0)) (call $arg (i32.const 1)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 9)) (then
        (call $display_frame (call $arg (i32.const 0)) (call $arg (i32.const 1)) (call $arg (i32.const 2)) (call $arg (i32.const 3)))
        (call $replyEmpty) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 10)) (then
        (call $apdu_response (call $arg (i32.const 0)) (call $arg (i32.const 1))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 11)) (then
        (call $log (call $arg (i32.const 0)) (call $arg (i32.const 1)) (call $arg (i32.const 2))) (call $replyEmpty) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 12)) (then
        (call $panic (call $arg (i32.const 0)) (call $arg (i32.const 1)) (call $arg (i32.const 2))) (unreachable)))
      (if (i32.eq (local.get $op) (i32.const 13)) (then
        (call $reply32 (call $host_info (call $arg (i32.const 0)) (call $arg (i32.const 1)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 14)) (then (unreachable)))
      (if (i32.eq (local.get $op) (i32.const 15)) (then (call $reply32 (i32.load (call $arg (i32.const 0)))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 16)) (then
        (i32.store (i32.const 0x100) (global.get $ticks))
        (i32.store (i32.const 0x104) (global.get $buttons))
        (i32.store (i32.const 0x108) (global.get $leds))
        (call $apdu_response (i32.const 0x100) (i32.const 12)) (br $done)))
      ;; bulk memory and sign extension, as AssemblyScript emits them
      (if (i32.eq (local.get $op) (i32.const 17)) (then
        (memory.fill (i32.const 0x300) (call $arg (i32.const 0)) (i32.const 16))
        (memory.copy (i32.const 0x310) (i32.const 0x300) (i32.const 16))
        (i32.store (i32.const 0x320) (i32.extend8_s (call $arg (i32.const 1))))
        (i32.store (i32.const 0x324) (i32.extend16_s (call $arg (i32.const 1))))
        (i64.store (i32.const 0x328) (i64.extend32_s (i64.extend_i32_u (call $arg (i32.const 1)))))
        (call $apdu_response (i32.const 0x310) (i32.const 32)) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 18)) (then (call $reply32 (call $recurse (i32.const 0))) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 19)) (then (call $drop_compiled_code) (call $replyEmpty) (br $done)))
      (if (i32.eq (local.get $op) (i32.const 20)) (then (call $replyEmpty) (br $done)))
      ;; unknown operation: ISO 7816 "instruction not supported"
      (i32.store16 (i32.const 0x100) (i32.const 0x006d))
      (call $apdu_response (i32.const 0x100) (i32.const 2))))
  (export "init" (func $init))
  (export "tick" (func $tick))
  (export "button" (func $button))
  (export "keyboard_leds" (func $keyboard_leds))
  (export "apdu_buffer" (func $apdu_buffer))
  (export "apdu_capacity" (func $apdu_capacity))
  (export "apdu_routine" (func $apdu_routine))
  (export "apdu" (func $apdu))
  (export "session_reset" (func $session_reset)))
`;

const u32le = (value: number): string => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes.toString("hex");
};

/** A scenario line calling probe operation `op` with up to four u32 arguments and a payload. */
export function probeApdu(op: number, args: number[] = [], payload: Uint8Array = new Uint8Array(0)): string {
  const words = [0, 1, 2, 3].map((i) => u32le(args[i] ?? 0)).join("");
  return `apdu ${op.toString(16).padStart(2, "0")}${words}${Buffer.from(payload).toString("hex")}`;
}
