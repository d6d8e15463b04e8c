// The PIN lock (docs/SPEC.md "PIN lock", docs/security.md): state, the wrong-PIN counter, the
// wipe after PIN_TRIES wrong PINs, key derivation in slices from the tick, and the idle lock.
// Layer: store <- pin <- applets, ui. A PIN is 6..12 ASCII digits.
//
// The data key (random, 32 bytes) encrypts the store's names and secrets; the PIN-derived key only
// wraps it (record.ts), so changing the PIN rewrites one blob. The data key is in RAM only while
// unlocked. A guess is counted before it is judged: the counter is persisted (and the flash
// operation finished) before the derivation even starts, so no result exists for an uncounted try.
import { OK, ERR_RANGE, ERR_STATE, ERR_NOT_FOUND, ERR_FULL } from "../status";
import { now_ms } from "../abi";
import { settingGet, settingPut, settingBlobPut, storeWipe } from "../store";
import { storeSetDataKey, storeSetSealing } from "../store/sealed";
import { storeSealAll, storeOpenAll, storePurge, storeSealFits } from "../store/reseal";
import { wipeReplayed } from "../store/mount";
import { BLOB_PIN, SETTING_PIN_FAILURES, SETTING_PIN_IDLE_LOCK_SECONDS, SETTING_PIN_HIDE_NAMES,
  SETTING_PIN_PURGE_PENDING } from "../store/settings-ids";
import { pbkdf2Begin, pbkdf2Step, pbkdf2Result, pbkdf2Cancel } from "../crypto/pbkdf2";
import { random_fill, drop_compiled_code } from "../abi";
import {
  pinRecord, pinRecordLoad, pinRecordStart, pinRecordSealAndStore, pinRecordOpen, pinRecordIterations,
  RECORD_SALT, PIN_SALT_BYTES, DATA_KEY_BYTES,
} from "./record";

export const PIN_STATE_NONE: u32 = 0;
export const PIN_STATE_LOCKED: u32 = 1;
export const PIN_STATE_UNLOCKED: u32 = 2;

export const PIN_DIGITS_MIN: u32 = 6;
export const PIN_DIGITS_MAX: u32 = 12;
/** Wrong PINs in a row that wipe the store. */
export const PIN_TRIES: u32 = 10;
/** PBKDF2 iterations for a new PIN: an unlock of about 1.25 s on the full firmware in the emulator
 *  (docs/benchmarks.md "PIN lock"), plus ~0.2 s the emulator does not time (the progress frames' I2C
 *  transfers), within the 1.5 s budget. The count is stored in the record, so unlocking uses
 *  whatever count the PIN was set with. */
export const PIN_ITERATIONS: u32 = 450;
/** Idle time before the token locks when the setting was never changed. */
export const PIN_IDLE_LOCK_DEFAULT_SECONDS: i32 = 300;
/** Work per tick: iterations run while now_ms() moved less than this (wasm3 on the RP2040: about
 *  6 iterations of 2.6 ms), and never more than PIN_STEPS_PER_TICK_MAX (a host clock that stands
 *  still). Longer than the 10 ms tick period, so the loop's per-tick work costs less of an unlock
 *  (8 ms: +0.1 s); short enough that a tick with a frame stays well under USB's 50 ms for a control
 *  request (USB is served between ticks; an APDU meanwhile is answered in about 27 ms). */
export const PIN_SLICE_MS: i64 = 16;
const PIN_STEPS_PER_TICK_MAX: u32 = 64;

// Outcomes of the last operation (pinOutcome()).
export const PIN_OUTCOME_NONE: u32 = 0;
export const PIN_OUTCOME_DERIVING: u32 = 1;
export const PIN_OUTCOME_UNLOCKED: u32 = 2;
export const PIN_OUTCOME_WRONG: u32 = 3;
export const PIN_OUTCOME_WIPED: u32 = 4;
export const PIN_OUTCOME_SET: u32 = 5;
export const PIN_OUTCOME_FAILED: u32 = 6;

const JOB_IDLE: u32 = 0;
const JOB_UNLOCK: u32 = 1;
const JOB_SET: u32 = 2;

const dataKey = memory.data(<i32>DATA_KEY_BYTES);
const derivedKey = memory.data(<i32>DATA_KEY_BYTES);

let state: u32 = PIN_STATE_NONE;
let job: u32 = JOB_IDLE;
let jobFromState: u32 = PIN_STATE_NONE;
let outcome: u32 = PIN_OUTCOME_NONE;
let failuresCounted: u32 = 0; // the persisted counter including the attempt being judged
let iterationsTotal: u32 = 0;
let iterationsLeft: u32 = 0;
let lastActivityMs: i64 = 0;
/** The derivation is done and derivedKey holds its result: the job finishes on the next tick. */
let derivationDone: bool = false;

function forgetDataKey(): void {
  memory.fill(dataKey, 0, DATA_KEY_BYTES);
  storeSetDataKey(0);
}

function wipeEverything(): i32 {
  pbkdf2Cancel();
  derivationDone = false;
  memory.fill(derivedKey, 0, DATA_KEY_BYTES);
  forgetDataKey();
  job = JOB_IDLE;
  state = PIN_STATE_NONE;
  storeSetSealing(false);
  return storeWipe();
}

/** After storeMount: finishes a wipe a power cut interrupted, and starts locked when a PIN is set. */
export function pinInit(nowMs: i64): i32 {
  job = JOB_IDLE;
  derivationDone = false;
  outcome = PIN_OUTCOME_NONE;
  forgetDataKey();
  lastActivityMs = nowMs;
  if (wipeReplayed) {
    // A wipe was cut after its commit: its old sectors may still hold records. Erase them now.
    const purged = storePurge();
    if (purged < 0) return purged;
  }
  if (<u32>settingGet(SETTING_PIN_FAILURES, 0) >= PIN_TRIES) {
    const wiped = wipeEverything();
    if (wiped < 0) return wiped;
    outcome = PIN_OUTCOME_WIPED;
  }
  state = pinRecordLoad() == ERR_NOT_FOUND ? PIN_STATE_NONE : PIN_STATE_LOCKED;
  storeSetSealing(state != PIN_STATE_NONE);
  return OK;
}

export function pinState(): u32 { return state; }
export function pinOutcome(): u32 { return outcome; }
export function pinBusy(): bool { return job != JOB_IDLE; }
/** The next tick runs a derivation's finish, the heaviest code the token runs: whatever runs before
 *  it should leave no compiled code behind (drop_compiled_code). */
export function pinFinishPending(): bool { return derivationDone; }
/** Whether codes, names and secrets may be used: no PIN, or unlocked. */
export function pinOpen(): bool { return state != PIN_STATE_LOCKED; }
/** Wrong PINs since the last right one (persisted). */
export function pinFailures(): u32 { return <u32>settingGet(SETTING_PIN_FAILURES, 0); }
export function pinTriesLeft(): u32 {
  const failures = pinFailures();
  return failures >= PIN_TRIES ? 0 : PIN_TRIES - failures;
}
/** Derivation progress, 0..100. */
export function pinProgressPercent(): u32 {
  if (job == JOB_IDLE || iterationsTotal == 0) return 0;
  return (iterationsTotal - iterationsLeft) * 100 / iterationsTotal;
}
export function pinHideNames(): bool { return state == PIN_STATE_LOCKED && settingGet(SETTING_PIN_HIDE_NAMES, 0) != 0; }
export function pinIdleLockSeconds(): i32 { return settingGet(SETTING_PIN_IDLE_LOCK_SECONDS, PIN_IDLE_LOCK_DEFAULT_SECONDS); }

function pinValid(pin: usize, digits: u32): bool {
  if (digits < PIN_DIGITS_MIN || digits > PIN_DIGITS_MAX) return false;
  if (<u64>pin + <u64>digits > (<u64>memory.size() << 16)) return false;
  for (let i: u32 = 0; i < digits; i++) {
    const c = <u32>load<u8>(pin + <usize>i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function startDerivation(pin: usize, digits: u32, iterations: u32): i32 {
  const begun = pbkdf2Begin(pin, digits, pinRecord + RECORD_SALT, PIN_SALT_BYTES, iterations, DATA_KEY_BYTES);
  if (begun != OK) return begun;
  iterationsTotal = iterations;
  iterationsLeft = iterations;
  outcome = PIN_OUTCOME_DERIVING;
  derivationDone = false;
  // The ticks that follow run PBKDF2, not the everyday code: a host that keeps compiled code
  // starts them on a clean slate (docs/wasm3.md, "Compiled code: a bounded cache").
  drop_compiled_code();
  return OK;
}

/**
 * Starts an unlock with the PIN's digits (ASCII). The attempt is counted on flash first; only then
 * does the derivation start (pinTick finishes it). OK; ERR_RANGE for a malformed PIN (not counted);
 * ERR_STATE when not locked or busy; a store error (flash, full) when the count could not be
 * persisted: then no attempt was made. A counter already at PIN_TRIES wipes the store.
 */
export function pinUnlockBegin(pin: usize, digits: u32): i32 {
  if (state != PIN_STATE_LOCKED || job != JOB_IDLE) return ERR_STATE;
  if (!pinValid(pin, digits)) return ERR_RANGE;
  const loaded = pinRecordLoad();
  if (loaded < 0) return loaded;
  const failures = <u32>settingGet(SETTING_PIN_FAILURES, 0);
  if (failures >= PIN_TRIES) {
    wipeEverything();
    outcome = PIN_OUTCOME_WIPED;
    return ERR_STATE;
  }
  const counted = settingPut(SETTING_PIN_FAILURES, <i32>(failures + 1));
  if (counted < 0) return counted;
  failuresCounted = failures + 1;
  const begun = startDerivation(pin, digits, pinRecordIterations());
  if (begun < 0) return begun;
  job = JOB_UNLOCK;
  return OK;
}

/**
 * Starts setting a PIN (no PIN yet) or changing it (unlocked): a new salt, the current count, and
 * for a first PIN a new random data key. pinTick stores the record when the derivation is done.
 * ERR_FULL when the slots would not fit once sealed.
 */
export function pinSetBegin(pin: usize, digits: u32): i32 {
  if ((state != PIN_STATE_NONE && state != PIN_STATE_UNLOCKED) || job != JOB_IDLE) return ERR_STATE;
  if (!pinValid(pin, digits)) return ERR_RANGE;
  if (state == PIN_STATE_NONE && !storeSealFits()) return ERR_FULL;
  if (state == PIN_STATE_NONE && random_fill(dataKey, DATA_KEY_BYTES) != 0) return ERR_STATE;
  const started = pinRecordStart(PIN_ITERATIONS);
  if (started < 0) {
    if (state == PIN_STATE_NONE) memory.fill(dataKey, 0, DATA_KEY_BYTES);
    return started;
  }
  const begun = startDerivation(pin, digits, PIN_ITERATIONS);
  if (begun < 0) return begun;
  jobFromState = state;
  job = JOB_SET;
  return OK;
}

/** Abandons a derivation in progress (an unlock stays counted). */
export function pinCancel(): void {
  if (job == JOB_IDLE) return;
  pbkdf2Cancel();
  derivationDone = false;
  memory.fill(derivedKey, 0, DATA_KEY_BYTES);
  if (job == JOB_SET && jobFromState == PIN_STATE_NONE) memory.fill(dataKey, 0, DATA_KEY_BYTES);
  job = JOB_IDLE;
  outcome = PIN_OUTCOME_NONE;
}

/** Locks now (forgets the data key). No effect without a PIN. */
export function pinLock(): void {
  if (job == JOB_SET) pinCancel();
  if (state == PIN_STATE_UNLOCKED) {
    forgetDataKey();
    state = PIN_STATE_LOCKED;
  }
}

/**
 * Removes the PIN (unlocked only): every slot is decrypted first (one record each, so a power cut
 * leaves a mix the next unlock seals again), then the PIN record goes.
 */
export function pinRemove(): i32 {
  if (state != PIN_STATE_UNLOCKED || job != JOB_IDLE) return ERR_STATE;
  // Cut midway, the PIN stays and the next unlock seals again: then plain copies must be purged.
  const flagged = settingPut(SETTING_PIN_PURGE_PENDING, 1);
  if (flagged < 0) return flagged;
  const opened = storeOpenAll();
  if (opened < 0) return opened;
  const removed = settingBlobPut(BLOB_PIN, 0, 0);
  if (removed < 0) {
    storeSetSealing(true); // still a PIN: new records stay sealed
    return removed;
  }
  settingPut(SETTING_PIN_FAILURES, 0);
  settingPut(SETTING_PIN_PURGE_PENDING, 0);
  forgetDataKey();
  state = PIN_STATE_NONE;
  return OK;
}

/** A button press or an APDU: restarts the idle time. */
export function pinActivity(nowMs: i64): void {
  lastActivityMs = nowMs;
}

function finishUnlock(nowMs: i64): void {
  const opened = pinRecordOpen(derivedKey, dataKey);
  memory.fill(derivedKey, 0, DATA_KEY_BYTES);
  if (opened == OK) {
    outcome = PIN_OUTCOME_UNLOCKED;
    state = PIN_STATE_UNLOCKED;
    lastActivityMs = nowMs;
    storeSetDataKey(dataKey);
    settingPut(SETTING_PIN_FAILURES, 0); // a cut here costs the owner one try, never the attacker
    sealAndPurge(); // finishes a PIN set, change or removal a power cut interrupted
  } else if (failuresCounted >= PIN_TRIES) {
    wipeEverything();
    outcome = PIN_OUTCOME_WIPED;
  } else {
    outcome = PIN_OUTCOME_WRONG;
  }
}

// Seals plain slots, and when a set or change left old records behind, purges them from flash.
function sealAndPurge(): i32 {
  const sealed = storeSealAll();
  if (sealed < 0) return sealed;
  if (settingGet(SETTING_PIN_PURGE_PENDING, 0) == 0) return OK;
  const purged = storePurge();
  if (purged < 0) return purged;
  return settingPut(SETTING_PIN_PURGE_PENDING, 0);
}

function finishSet(nowMs: i64): void {
  // The purge flag goes first: a cut after the record is stored still leaves it set.
  const flagged = settingPut(SETTING_PIN_PURGE_PENDING, 1);
  if (flagged < 0) {
    if (jobFromState == PIN_STATE_NONE) memory.fill(dataKey, 0, DATA_KEY_BYTES);
    memory.fill(derivedKey, 0, DATA_KEY_BYTES);
    outcome = PIN_OUTCOME_FAILED;
    return;
  }
  const stored = pinRecordSealAndStore(derivedKey, dataKey);
  memory.fill(derivedKey, 0, DATA_KEY_BYTES);
  if (stored < 0) {
    if (jobFromState == PIN_STATE_NONE) memory.fill(dataKey, 0, DATA_KEY_BYTES);
    outcome = PIN_OUTCOME_FAILED;
    return;
  }
  state = PIN_STATE_UNLOCKED;
  lastActivityMs = nowMs;
  storeSetSealing(true);
  if (settingGet(SETTING_PIN_FAILURES, 0) != 0) settingPut(SETTING_PIN_FAILURES, 0);
  storeSetDataKey(dataKey);
  outcome = sealAndPurge() < 0 ? PIN_OUTCOME_FAILED : PIN_OUTCOME_SET;
}

/** From the host tick: idle lock, and about PIN_SLICE_MS of derivation work. */
export function pinTick(nowMs: i64): void {
  if (state == PIN_STATE_UNLOCKED && job == JOB_IDLE) {
    const idleSeconds = pinIdleLockSeconds();
    if (idleSeconds > 0 && nowMs - lastActivityMs >= <i64>idleSeconds * 1000) pinLock();
  }
  if (job != JOB_IDLE) deriveSlice(nowMs);
}

// @cold: every tick calls pinTick, and wasm3 compiles a function whole on its first call.
function deriveSlice(nowMs: i64): void {
  if (derivationDone) {
    finishJob(nowMs);
    return;
  }
  const startMs = now_ms();
  let steps: u32 = 0;
  let left = pbkdf2Step(1);
  steps++;
  while (left > 0 && steps < PIN_STEPS_PER_TICK_MAX && now_ms() - startMs < PIN_SLICE_MS) {
    left = pbkdf2Step(1);
    steps++;
  }
  if (left < 0) {
    pinCancel();
    outcome = PIN_OUTCOME_FAILED;
    return;
  }
  iterationsLeft = <u32>left;
  if (left > 0) return;
  pbkdf2Result(derivedKey);
  // The finish (open or seal the PIN record, reseal every slot, purge) is the heaviest code the
  // token runs: it gets a tick of its own, after the derivation's code is dropped.
  derivationDone = true;
  drop_compiled_code();
}

function finishJob(nowMs: i64): void {
  derivationDone = false;
  const finished = job;
  job = JOB_IDLE;
  if (finished == JOB_UNLOCK) finishUnlock(nowMs);
  else finishSet(nowMs);
  drop_compiled_code(); // the reseal's code is not needed again; the everyday code compiles anew
}

/** Runs a derivation to its end (tests, and hosts without a tick loop). */
export function pinFinish(): u32 {
  while (job != JOB_IDLE) pinTick(now_ms());
  return outcome;
}

/** Sets the idle-lock time (0: lock only at power-off) and the hide-names option. */
export function pinConfigure(idleLockSeconds: i32, hideNames: i32): i32 {
  if (idleLockSeconds < 0 || idleLockSeconds > 86400 || (hideNames != 0 && hideNames != 1)) return ERR_RANGE;
  const put = settingPut(SETTING_PIN_IDLE_LOCK_SECONDS, idleLockSeconds);
  if (put < 0) return put;
  return settingPut(SETTING_PIN_HIDE_NAMES, hideNames);
}

/** After a factory reset wiped the store (PIN record included): no PIN, nothing sealed. */
export function pinAfterWipe(): void {
  pinCancel();
  forgetDataKey();
  storeSetSealing(false);
  state = PIN_STATE_NONE;
}
