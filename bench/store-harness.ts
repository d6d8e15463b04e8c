// The slot store under test: build/testkit-store.wasm on a NorFlash model, a JS model of what the
// store should hold, and the power-loss checker (littlefs emubd style) the tests, the soak script
// and the store bench share. Expected values come from node:crypto, never from the module.
import { createHmac } from "node:crypto";
import { createImports } from "../host-sim/abi.js";
import { quietDevices } from "../host-sim/instance.js";
import { NorFlash, PowerCut, CutBehaviour, FlashGeometry } from "../host-sim/flash.js";
import { readModule } from "../host-sim/paths.js";

export const KIND_HOTP = 1;
export const KIND_TOTP = 2;
export const ALGORITHMS = ["sha1", "sha256", "sha512"] as const;
const STATUS_FULL = -5;
const CHALLENGE = new Uint8Array([0x54, 0x4f, 0x54, 0x50, 0x6b, 0x65, 0x79, 0x21]);

interface StoreExports {
  memory: WebAssembly.Memory;
  ioBuffer(): number;
  STORE_STATIC_BYTES: WebAssembly.Global;
  storeMount(regionOffset: number, regionBytes: number, sectorBytes: number, pageBytes: number): number;
  slotUsed(slot: number): number;
  slotsUsedCount(): number;
  firstFreeSlot(): number;
  findSlotByName(name: number, nameBytes: number): number;
  slotPut(slot: number, name: number, nameBytes: number, kind: number, algorithm: number, digits: number,
    periodSeconds: number, counter: bigint, flags: number, secret: number, secretBytes: number): number;
  slotDelete(slot: number): number;
  slotRename(slot: number, name: number, nameBytes: number): number;
  slotMove(fromSlot: number, toSlot: number): number;
  storeWipe(): number;
  slotNameCopy(slot: number, dst: number, capacity: number): number;
  slotKind(slot: number): number;
  slotAlgorithm(slot: number): number;
  slotDigits(slot: number): number;
  slotPeriodSeconds(slot: number): number;
  slotCounter(slot: number): bigint;
  slotFlags(slot: number): number;
  slotTotp(slot: number, unixSeconds: bigint): bigint;
  slotHotpNext(slot: number): bigint;
  slotCounterAdvance(slot: number): bigint;
  slotHmac(slot: number, challenge: number, challengeBytes: number, digestOut: number): number;
  settingGet(id: number, defaultValue: number): number;
  settingPut(id: number, value: number): number;
  settingBlobGet(id: number, dst: number, capacity: number): number;
  settingBlobPut(id: number, src: number, bytes: number): number;
  storeUsedBytes(): number;
  storeCapacityBytes(): number;
  storeMaintain(): number;
}

/** A credential as the model keeps it. `algorithm` is 1..3 (SHA-1/256/512). */
export interface Credential {
  name: Uint8Array;
  kind: number;
  algorithm: number;
  digits: number;
  periodSeconds: number;
  counter: bigint;
  flags: number;
  secret: Uint8Array;
}

/** Where the store lives on the flash. */
export interface Region {
  geometry: FlashGeometry;
  regionOffset: number;
  regionBytes: number;
}

/** The default: the last 64 KiB of a Pico's 2 MiB flash. */
export const PICO_REGION: Region = {
  geometry: { totalBytes: 2 * 1024 * 1024, sectorBytes: 4096, pageBytes: 256 },
  regionOffset: 2 * 1024 * 1024 - 65536,
  regionBytes: 65536,
};

/** A small region (whole flash) of `sectors` sectors of `sectorBytes`: compaction comes quickly. */
export function smallRegion(sectors: number, sectorBytes = 1024, pageBytes = 256): Region {
  const totalBytes = sectors * sectorBytes;
  return { geometry: { totalBytes, sectorBytes, pageBytes }, regionOffset: 0, regionBytes: totalBytes };
}

let compiled: WebAssembly.Module | null = null;
let moduleBytes: Uint8Array | null = null;

/** One instance of the store test module on `flash` (a fresh instance = a reboot). */
export class StoreUnderTest {
  readonly x: StoreExports;
  readonly io: number;

  constructor(readonly flash: NorFlash, readonly region: Region) {
    if (compiled === null) {
      moduleBytes = readModule("testkit-store");
      compiled = new WebAssembly.Module(moduleBytes as Uint8Array<ArrayBuffer>);
    }
    let memory: WebAssembly.Memory | null = null;
    const imports = createImports(quietDevices(flash), moduleBytes!, () => memory!);
    const instance = new WebAssembly.Instance(compiled, imports as unknown as WebAssembly.Imports);
    this.x = instance.exports as unknown as StoreExports;
    memory = this.x.memory;
    this.io = this.x.ioBuffer();
  }

  get staticBytes(): number {
    return this.x.STORE_STATIC_BYTES.value as number;
  }

  mount(): number {
    const { regionOffset, regionBytes, geometry } = this.region;
    return this.x.storeMount(regionOffset, regionBytes, geometry.sectorBytes, geometry.pageBytes);
  }

  private bytesAt(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.io + offset, length);
  }

  private write(offset: number, data: Uint8Array): void {
    if (offset + data.length > 1024) throw new RangeError("io buffer");
    this.bytesAt(offset, data.length).set(data);
  }

  put(slot: number, c: Credential): number {
    this.write(0, c.name);
    this.write(256, c.secret);
    return this.x.slotPut(slot, this.io, c.name.length, c.kind, c.algorithm, c.digits, c.periodSeconds, c.counter,
      c.flags, this.io + 256, c.secret.length);
  }

  rename(slot: number, name: Uint8Array): number {
    this.write(0, name);
    return this.x.slotRename(slot, this.io, name.length);
  }

  findByName(name: Uint8Array): number {
    this.write(0, name);
    return this.x.findSlotByName(this.io, name.length);
  }

  name(slot: number): Uint8Array | number {
    const length = this.x.slotNameCopy(slot, this.io, 512);
    return length < 0 ? length : this.bytesAt(0, length).slice();
  }

  hmac(slot: number, challenge: Uint8Array = CHALLENGE): Uint8Array | number {
    this.write(0, challenge);
    const length = this.x.slotHmac(slot, this.io, challenge.length, this.io + 512);
    return length < 0 ? length : this.bytesAt(512, length).slice();
  }

  blobPut(id: number, data: Uint8Array): number {
    this.write(0, data);
    return this.x.settingBlobPut(id, this.io, data.length);
  }

  blob(id: number): Uint8Array | number {
    const length = this.x.settingBlobGet(id, this.io, 512);
    return length < 0 ? length : this.bytesAt(0, length).slice();
  }
}

// ---- the model ---------------------------------------------------------------------------------

export type Op =
  | { op: "put"; slot: number; credential: Credential }
  | { op: "delete"; slot: number }
  | { op: "rename"; slot: number; name: Uint8Array }
  | { op: "move"; from: number; to: number }
  | { op: "wipe" }
  | { op: "hotp"; slot: number }
  | { op: "setting"; id: number; value: number }
  | { op: "blob"; id: number; data: Uint8Array }
  | { op: "maintain" };

/** What the store should hold: slots, integer settings, blobs. */
export interface Model {
  slots: Map<number, Credential>;
  settings: Map<number, number>;
  blobs: Map<number, Uint8Array>;
}

export function emptyModel(): Model {
  return { slots: new Map(), settings: new Map(), blobs: new Map() };
}

function cloneModel(m: Model): Model {
  return { slots: new Map(m.slots), settings: new Map(m.settings), blobs: new Map(m.blobs) };
}

/** The model after `op` succeeded. */
export function applyOp(m: Model, op: Op): Model {
  const next = cloneModel(m);
  switch (op.op) {
    case "put": {
      const c = { ...op.credential };
      if (c.kind === KIND_TOTP) c.counter = 0n;
      else c.periodSeconds = 0;
      next.slots.set(op.slot, c);
      break;
    }
    case "delete": next.slots.delete(op.slot); break;
    case "rename": next.slots.set(op.slot, { ...m.slots.get(op.slot)!, name: op.name }); break;
    case "move": next.slots.set(op.to, m.slots.get(op.from)!); next.slots.delete(op.from); break;
    case "wipe": return emptyModel();
    case "hotp": {
      const c = m.slots.get(op.slot)!;
      next.slots.set(op.slot, { ...c, counter: c.counter + 1n });
      break;
    }
    case "setting": next.settings.set(op.id, op.value); break;
    case "blob": if (op.data.length === 0) next.blobs.delete(op.id); else next.blobs.set(op.id, op.data); break;
    case "maintain": break;
  }
  return next;
}

/** RFC 4226 HOTP by node:crypto: the independent oracle for codes. */
export function hotpReference(c: Credential, counter: bigint): bigint {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(ALGORITHMS[c.algorithm - 1], c.secret).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return BigInt(value) % 10n ** BigInt(c.digits);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Setting ids and blob ids the snapshot looks at. */
export const SNAPSHOT_SETTING_IDS = [1, 2, 3, 4, 5, 6, 7];
export const SNAPSHOT_BLOB_IDS = [64, 65, 66, 67];

/** A canonical text of the store's observable state (slots by metadata, name and an HMAC of the
 *  secret; settings; blobs), as the module reports it. */
export function snapshotStore(s: StoreUnderTest, slotCount = 100): string {
  const lines: string[] = [];
  for (let slot = 0; slot < slotCount; slot++) {
    if (!s.x.slotUsed(slot)) continue;
    const name = s.name(slot);
    const mac = s.hmac(slot);
    lines.push(`${slot} ${typeof name === "number" ? name : hex(name)} k${s.x.slotKind(slot)} a${s.x.slotAlgorithm(slot)} ` +
      `d${s.x.slotDigits(slot)} p${s.x.slotPeriodSeconds(slot)} c${s.x.slotCounter(slot)} f${s.x.slotFlags(slot)} ` +
      `${typeof mac === "number" ? mac : hex(mac)}`);
  }
  for (const id of SNAPSHOT_SETTING_IDS) lines.push(`s${id}=${s.x.settingGet(id, -12345)}`);
  for (const id of SNAPSHOT_BLOB_IDS) {
    const blob = s.blob(id);
    lines.push(`b${id}=${typeof blob === "number" ? blob : hex(blob)}`);
  }
  return lines.join("\n");
}

/** The same text computed from the model with node:crypto. */
export function snapshotModel(m: Model): string {
  const lines: string[] = [];
  for (const slot of [...m.slots.keys()].sort((a, b) => a - b)) {
    const c = m.slots.get(slot)!;
    const mac = createHmac(ALGORITHMS[c.algorithm - 1], c.secret).update(CHALLENGE).digest();
    lines.push(`${slot} ${hex(c.name)} k${c.kind} a${c.algorithm} d${c.digits} p${c.kind === KIND_TOTP ? c.periodSeconds : 0} ` +
      `c${c.kind === KIND_HOTP ? c.counter : 0n} f${c.flags} ${hex(mac)}`);
  }
  for (const id of SNAPSHOT_SETTING_IDS) lines.push(`s${id}=${m.settings.get(id) ?? -12345}`);
  for (const id of SNAPSHOT_BLOB_IDS) {
    const blob = m.blobs.get(id);
    lines.push(`b${id}=${blob === undefined ? -6 : hex(blob)}`);
  }
  return lines.join("\n");
}

/** Runs one op on the module: its status (0 ok, <0 refused), and for HOTP the code it gave. */
export function runOp(s: StoreUnderTest, op: Op): { status: number; code?: bigint } {
  switch (op.op) {
    case "put": return { status: s.put(op.slot, op.credential) };
    case "delete": return { status: s.x.slotDelete(op.slot) };
    case "rename": return { status: s.rename(op.slot, op.name) };
    case "move": return { status: s.x.slotMove(op.from, op.to) };
    case "wipe": return { status: s.x.storeWipe() };
    case "hotp": {
      const code = s.x.slotHotpNext(op.slot);
      return code < 0n ? { status: Number(code) } : { status: 0, code };
    }
    case "setting": return { status: s.x.settingPut(op.id, op.value) };
    case "blob": return { status: s.blobPut(op.id, op.data) };
    case "maintain": return { status: Math.min(0, s.x.storeMaintain()) };
  }
}

// ---- the power-loss checker ------------------------------------------------------------------------

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
export const CYCLE_BLOB_ID = 67;

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

// ---- credentials ---------------------------------------------------------------------------------

/** mulberry32: reproducible workloads. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** An ASCII name of `length` bytes, distinct per `tag`. */
export function nameOf(tag: string, length: number): Uint8Array {
  const text = (tag + ":" + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2)).slice(0, length);
  return new TextEncoder().encode(text);
}

/** A varied credential: kinds, algorithms, digits, name and secret lengths from 1 to the maximum. */
export function randomCredential(random: () => number, tag: string, maxName = 64, maxSecret = 128): Credential {
  const kind = random() < 0.5 ? KIND_TOTP : KIND_HOTP;
  const pick = (max: number) => (random() < 0.2 ? max : 1 + Math.floor(random() * max));
  return {
    name: nameOf(tag, Math.max(Math.min(tag.length + 1, maxName), pick(maxName))),
    kind,
    algorithm: 1 + Math.floor(random() * 3),
    digits: 4 + Math.floor(random() * 7),
    periodSeconds: 1 + Math.floor(random() * 255),
    counter: kind === KIND_HOTP ? BigInt(Math.floor(random() * 1e9)) * 1000n : 0n,
    flags: random() < 0.3 ? 1 : 0,
    secret: bytes(random, pick(maxSecret)),
  };
}

export { bytes as randomBytesOf };
