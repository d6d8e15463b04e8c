// wasm3 build configuration for every board: compiled in with `-include boards/common/wasm3_config.h`
// before wasm3's own m3_config.h (which only fills in what is not defined here).
// docs/wasm3.md explains each choice.
#ifndef TOTPKEY_WASM3_CONFIG_H
#define TOTPKEY_WASM3_CONFIG_H

// No floating point: the module has none (a test checks), and a Cortex-M0+ has no FPU. Without
// NoFloatDynamic, a float opcode has no compiler: such a module is refused when compiled at boot.
#define d_m3HasFloat 0
#define d_m3NoFloatDynamic 0

// Code pages of 1 KiB instead of 4 KiB: less slack in the last page on a 264 KiB chip.
#define d_m3CodePageAlignSize 1024

// One name per function: each export names a different function (find_exports in host.c refuses a
// module whose ABI export is not found), and a function record is 8 bytes shorter (of 64).
#define d_m3MaxDuplicateFunctionImpl 1

// Fixed compile-time limits: a function's wasm stack height (locals + operands) and its constant
// table. They size the compiler's arrays inside the runtime; a function beyond them fails to
// compile at boot, which the native tests see first.
#define d_m3MaxFunctionStackHeight 80
#define d_m3MaxConstantTableSize 64

// Memory limit: the module has one fixed 64 KiB page (initial 1, maximum 1).
#define d_m3MaxLinearMemoryPages 1

// Short error strings, no backtraces, no profiling or tracing: smaller image and RAM.
#define d_m3VerboseErrorMessages 0
#define d_m3RecordBacktraces 0
#define d_m3EnableOpProfiling 0
#define d_m3EnableStrace 0

// 32-bit value slots (wasm3's default, stated): i32 values take 4 bytes of interpreter stack.
#define d_m3Use32BitSlots 1

// Bulk-memory (memory.copy, memory.fill) and saturating truncation live behind the 0xFC prefix.
#define d_m3EnableExtendedOpcodes 1

// Bounds and stack checks stay on: the module is trusted code, but a bug must trap, not corrupt.
#define d_m3SkipStackCheck 0
#define d_m3SkipMemoryBoundsCheck 0

// Compile every function when the module loads (1), so RAM use is known at boot and a function
// wasm3 cannot compile fails there; 0 leaves wasm3's lazy compilation on first call (less RAM for
// functions never called, but a late out-of-memory is a runtime stop).
#ifndef TK_COMPILE_AT_BOOT
#define TK_COMPILE_AT_BOOT 1
#endif

// The compiled-code cache's budget (boards/common/code_cache.c; bytes of code pages): 0 keeps all
// compiled code for good. The RP2040 build sets one in scripts/build-firmware.sh.
#ifndef TK_CODE_BUDGET_BYTES
#define TK_CODE_BUDGET_BYTES 0
#endif

// The interpreter's value stack per runtime (boards/common passes it to m3_NewRuntime).
#ifndef TK_WASM_STACK_BYTES
#define TK_WASM_STACK_BYTES (8 * 1024)
#endif

#endif
