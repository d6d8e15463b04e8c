// What the store should hold: a JS model of slots, settings and blobs, the operations on it, and
// canonical snapshots of the module's state and of the model, compared by the power-loss checker.
// Expected values come from node:crypto, never from the module.
import { createHmac } from "node:crypto";
import {
  KIND_HOTP, KIND_TOTP, SETTING_KEYBOARD_LAYOUT, SETTING_TYPING_MODE, SETTING_AFTER_CODE, SETTING_DISPLAY_TIMEOUT_SECONDS,
  SETTING_TYPING_PACE_MS, SETTING_SELECTED_SLOT, SETTING_PIN_FAILURES, BLOB_CLOCK_CALIBRATION, BLOB_OATH_ACCESS, BLOB_PIN,
} from "../module-constants.js";
import { StoreUnderTest, Credential, CHALLENGE } from "./store-under-test.js";

export const ALGORITHMS = ["sha1", "sha256", "sha512"] as const;

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
export const SNAPSHOT_SETTING_IDS = [
  SETTING_KEYBOARD_LAYOUT, SETTING_TYPING_MODE, SETTING_AFTER_CODE, SETTING_DISPLAY_TIMEOUT_SECONDS, SETTING_TYPING_PACE_MS,
  SETTING_SELECTED_SLOT, SETTING_PIN_FAILURES,
];
/** The module's blobs and one id no layer uses (the region-cycling workload's). */
export const SNAPSHOT_BLOB_IDS = [BLOB_CLOCK_CALIBRATION, BLOB_OATH_ACCESS, BLOB_PIN, BLOB_PIN + 1];

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
