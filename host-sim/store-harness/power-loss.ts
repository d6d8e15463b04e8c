// The power-loss checker (littlefs emubd style): runs a workload with a power cut armed at a flash
// operation, reboots, and checks that the store holds the model's state before or after the
// interrupted operation; the sweep over every operation of a workload; a region-wrapping cycle.
import { NorFlash, PowerCut, CutBehaviour } from "../flash.js";
import { StoreUnderTest, Region } from "./store-under-test.js";
import { Op, Model, SNAPSHOT_BLOB_IDS, applyOp, emptyModel, hotpReference, runOp, snapshotModel, snapshotStore } from "./model.js";

/** The store's ERR_FULL (assembly/status.ts): the soak's random ops may overfill a small region. */
const STATUS_FULL = -5;

export interface Violation {
  what: string;
  cutAt: number;
  behaviour: CutBehaviour;
}

/** State carried through a workload: the flash, the model, and whether ERR_FULL is acceptable. */
export interface Session {
  flash: NorFlash;
  region: Region;
  model: Model;
  /** Ops the store may refuse with ERR_FULL (the soak's random ops can overfill a small region). */
  allowFull: boolean;
  slotCount: number;
  /** After recovery, also rewrite a blob until the log has wrapped round the region twice. */
  cycleAfterRecovery?: boolean;
  /** What the last runWithCut found for the interrupted op: not applied, applied, or no op cut. */
  lastOutcome?: "old" | "new" | "none";
}

/** Mounts a fresh module instance on the session's flash. */
export function boot(session: Session): StoreUnderTest {
  const s = new StoreUnderTest(session.flash, session.region);
  const status = s.mount();
  if (status !== 0) throw new Error(`mount failed: ${status}`);
  return s;
}

/**
 * Runs `ops` from the session's state with a power cut armed after `cutAt` more flash operations
 * (null: no cut), then reboots and checks the store against the model: it mounts; its state is
 * the model after every acknowledged op, with the interrupted op either fully applied or not at
 * all; a HOTP code handed out matches node:crypto. Updates the session to the state found.
 * Returns the violations (empty when all is well).
 */
export function runWithCut(session: Session, ops: Op[], cutAt: number | null, behaviour: CutBehaviour, seed: number): Violation[] {
  const violations: Violation[] = [];
  const fail = (what: string) => violations.push({ what, cutAt: cutAt ?? -1, behaviour });
  let s: StoreUnderTest;
  try {
    s = boot(session);
  } catch (error) {
    fail(String(error));
    return violations;
  }
  if (cutAt !== null) session.flash.armPowerCut(cutAt, behaviour, seed);
  let before = session.model;
  let after: Model | null = null;
  for (const op of ops) {
    after = applyOp(before, op);
    try {
      const { status, code } = runOp(s, op);
      if (status === STATUS_FULL && session.allowFull) {
        after = null;
        continue;
      }
      if (status !== 0) {
        fail(`${op.op} returned ${status}`);
        after = null;
        break;
      }
      if (op.op === "hotp") {
        const c = before.slots.get(op.slot)!;
        if (code !== hotpReference(c, c.counter)) fail(`hotp slot ${op.slot} code ${code} expected ${hotpReference(c, c.counter)}`);
      }
      before = after;
      after = null;
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      break;
    }
  }
  session.flash.disarmPowerCut();
  session.flash.powerOn();
  if (session.flash.setBitViolations !== 0) fail(`${session.flash.setBitViolations} programs tried to set a 0 bit`);
  let found: string;
  try {
    s = boot(session);
    found = snapshotStore(s, session.slotCount);
  } catch (error) {
    fail(`after the cut: ${String(error)}`);
    return violations;
  }
  if (found === snapshotModel(before)) {
    session.model = before;
    session.lastOutcome = after === null ? "none" : "old";
  } else if (after !== null && found === snapshotModel(after)) {
    session.model = after;
    session.lastOutcome = "new";
  }
  else {
    fail(`state after the cut is neither old nor new:\n${diff(found, snapshotModel(before))}`);
    return violations;
  }
  // The recovered store keeps working: one more write survives another reboot.
  const probe: Op = { op: "setting", id: 7, value: (seed & 0xffff) + 1 };
  const probeStatus = runOp(s, probe).status;
  if (probeStatus === 0) session.model = applyOp(session.model, probe);
  else if (!(probeStatus === STATUS_FULL && session.allowFull)) fail(`write after recovery returned ${probeStatus}`);
  try {
    const again = snapshotStore(boot(session), session.slotCount);
    if (again !== snapshotModel(session.model)) fail(`write after recovery:\n${diff(again, snapshotModel(session.model))}`);
  } catch (error) {
    fail(`remount after recovery: ${String(error)}`);
  }
  if (session.cycleAfterRecovery && violations.length === 0) {
    const trouble = cycleRegion(session);
    if (trouble !== null) fail(trouble);
  }
  return violations;
}

/** The blob id cycleRegion rewrites (one of SNAPSHOT_BLOB_IDS). */
export const CYCLE_BLOB_ID = SNAPSHOT_BLOB_IDS[SNAPSHOT_BLOB_IDS.length - 1];

/**
 * Rewrites a 128-byte blob until the log has wrapped round the region twice (every sector compacted
 * twice), then reboots and compares with the model: a recovered store must keep working for good,
 * not just for one more write. Returns a description of the failure, or null.
 */
export function cycleRegion(session: Session): string | null {
  const s = boot(session);
  const sectors = session.region.regionBytes / session.region.geometry.sectorBytes;
  const erasesBefore = session.flash.erases;
  for (let write = 0; session.flash.erases - erasesBefore < 2 * sectors; write++) {
    if (write > 200 * sectors) return "cycling: the log does not wrap (no compaction)";
    const data = new Uint8Array(128).fill(write & 0xff);
    const status = s.blobPut(CYCLE_BLOB_ID, data);
    if (status !== 0) return `cycling: write ${write} returned ${status}`;
    session.model = applyOp(session.model, { op: "blob", id: CYCLE_BLOB_ID, data });
  }
  const again = snapshotStore(boot(session), session.slotCount);
  return again === snapshotModel(session.model) ? null : `after cycling:\n${diff(again, snapshotModel(session.model))}`;
}

function diff(found: string, expected: string): string {
  const a = found.split("\n");
  const b = expected.split("\n");
  const out: string[] = [];
  for (const line of a) if (!b.includes(line)) out.push(`  found    ${line}`);
  for (const line of b) if (!a.includes(line)) out.push(`  expected ${line}`);
  return out.slice(0, 8).join("\n");
}

/** Flash operations (programs + erases) `ops` take from the session's state, without cuts. */
export function countOperations(session: Session, ops: Op[]): number {
  const trial: Session = { ...session, flash: session.flash.clone() };
  const s = boot(trial);
  const start = trial.flash.operations;
  for (const op of ops) runOp(s, op);
  return trial.flash.operations - start;
}

/**
 * The emubd sweep: for every flash operation `k` of the workload (every `stride`-th), under both
 * failure behaviours, cut power at operation k from the same starting image and check recovery.
 */
export function sweepCuts(start: Session, ops: Op[], stride = 1): {
  runs: number; operations: number; violations: Violation[]; outcomes: { old: number; new: number; none: number };
} {
  const operations = countOperations(start, ops);
  const violations: Violation[] = [];
  const outcomes = { old: 0, new: 0, none: 0 };
  let runs = 0;
  for (const behaviour of ["atomic", "torn"] as const) {
    for (let cutAt = 0; cutAt < operations; cutAt += stride) {
      const session: Session = { ...start, flash: start.flash.clone() };
      violations.push(...runWithCut(session, ops, cutAt, behaviour, cutAt * 7919 + (behaviour === "torn" ? 1 : 0)));
      if (session.lastOutcome) outcomes[session.lastOutcome]++;
      runs++;
    }
  }
  return { runs, operations, violations, outcomes };
}

/** A session with `setup` applied (no cuts) on a fresh flash. */
export function prepare(region: Region, setup: Op[], slotCount = 100, allowFull = false): Session {
  const session: Session = { flash: new NorFlash(region.geometry), region, model: emptyModel(), allowFull, slotCount };
  const s = boot(session);
  for (const op of setup) {
    const { status } = runOp(s, op);
    if (status !== 0) throw new Error(`setup ${op.op} returned ${status}`);
    session.model = applyOp(session.model, op);
  }
  return session;
}
