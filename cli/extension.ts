// The token's own applet (the "extension" of issue 5; AID F0 "totpkey" 01): what YKOATH lacks.
// Slot-addressed PUT, DELETE and MOVE, a slot list with metadata, device info, the clock with its
// drift report, typing and display settings, factory reset confirmed by a press on the token.
// Encodings as in docs/SPEC.md "APDU applets" (assembly/applets/extension.ts).
import type { Transport } from "./transport/transport.js";
import { TransportError } from "./transport/transport.js";
import { ApduError, SW_FILE_NOT_FOUND, SW_INS_NOT_SUPPORTED, concat, parseTlvs, sendCommand, tlv } from "./apdu.js";
import { AppletSelection, proveAccess } from "./oath.js";
import { Algorithm, Credential, OtpType, splitStoredName, storedName } from "./parse/credential.js";
import {
  ALG_SHA1, ALG_SHA256, ALG_SHA512, SETTING_AFTER_CODE, SETTING_DISPLAY_TIMEOUT_SECONDS, SETTING_KEYBOARD_LAYOUT,
  SETTING_TYPING_MODE, SETTING_TYPING_PACE_MS,
} from "../host-sim/module-constants.js";

export const EXTENSION_AID = new Uint8Array([0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01]);

const CLA_PROPRIETARY = 0x80;
const INS_SELECT = 0xa4;
const INS_PUT_SLOT = 0x01;
const INS_DELETE_SLOT = 0x02;
const INS_MOVE_SLOT = 0x03;
const INS_LIST_SLOTS = 0x04;
const INS_DEVICE_INFO = 0x10;
const INS_GET_CLOCK = 0x20;
const INS_SET_CLOCK = 0x21;
const INS_GET_SETTING = 0x30;
const INS_PUT_SETTING = 0x31;
const INS_FACTORY_RESET = 0x40;

const TAG_NAME = 0x71;
const TAG_KEY = 0x73;
const TAG_CHALLENGE = 0x74;
const TAG_PROPERTY = 0x78;
const TAG_IMF = 0x7a;
const TAG_ALGORITHM = 0x7b;
const TAG_PERIOD = 0x7d;
const TAG_SLOT_ENTRY = 0x70;
const PROPERTY_REQUIRE_TOUCH = 0x02;
const FLAG_TOUCH = 0x01;
/** GET SETTING of a setting never written: "referenced data not found". */
const SW_SETTING_UNSET = 0x6a88;

const ALGORITHM_CODE: Record<Algorithm, number> = { SHA1: ALG_SHA1, SHA256: ALG_SHA256, SHA512: ALG_SHA512 };
const ALGORITHM_BY_CODE: Record<number, Algorithm> = { [ALG_SHA1]: "SHA1", [ALG_SHA256]: "SHA256", [ALG_SHA512]: "SHA512" };

export interface SlotEntry {
  slot: number;
  name: string;
  type: OtpType;
  algorithm: Algorithm;
  digits: number;
  periodSeconds: number;
  touch: boolean;
  issuer: string;
  account: string;
}

export interface DeviceInfo {
  moduleVersion: string;
  /** SHA-256 of the module binary the host runs, hex. */
  moduleSha256: string;
  host: string;
  slotsUsed: number;
  slotsFree: number;
  storeUsedBytes: number;
  storeCapacityBytes: number;
}

export interface TokenClock {
  /** The token's corrected time in Unix seconds, or null when it has none. */
  tokenSeconds: number | null;
  /** The drift correction the token applies, in parts per billion (signed). */
  driftPpb: number;
  /** How many syncs the drift estimate rests on. */
  calibrationSamples: number;
  /** A jump waits for a press of OK on the token. */
  pendingConfirm: boolean;
}

/** Device settings by the ids the module uses (host-sim/module-constants.ts, checked against the module). */
export const SETTING_IDS = {
  layout: SETTING_KEYBOARD_LAYOUT,
  typing: SETTING_TYPING_MODE,
  "after-code": SETTING_AFTER_CODE,
  "display-timeout": SETTING_DISPLAY_TIMEOUT_SECONDS,
  "typing-pace": SETTING_TYPING_PACE_MS,
} as const;
export type SettingName = keyof typeof SETTING_IDS;

const utf8 = new TextDecoder();
const u32 = (value: number) => { const out = new Uint8Array(4); new DataView(out.buffer).setUint32(0, value >>> 0); return out; };
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class ExtensionSession {
  private constructor(readonly transport: Transport, readonly selection: AppletSelection, private readonly password: string | undefined) {}

  /** Selects the applet (and unlocks it); null when the token does not have it. */
  static async open(transport: Transport, selection: AppletSelection, password?: string): Promise<ExtensionSession | null> {
    const session = new ExtensionSession(transport, selection, password);
    try {
      await session.select();
    } catch (error) {
      if (error instanceof ApduError && (error.sw === SW_FILE_NOT_FOUND || error.sw === SW_INS_NOT_SUPPORTED)) return null;
      throw error;
    }
    return session;
  }

  private async select(): Promise<void> {
    this.selection.current = null;
    const reply = await sendCommand(this.transport, "SELECT totpkey", 0x00, INS_SELECT, 0x04, 0x00, EXTENSION_AID);
    const tlvs = parseTlvs(reply, "SELECT totpkey");
    const challenge = tlvs.find((entry) => entry.tag === TAG_CHALLENGE)?.value;
    if (challenge && this.password !== undefined) {
      const salt = tlvs.find((entry) => entry.tag === TAG_NAME)?.value ?? new Uint8Array(0);
      const algorithm = ALGORITHM_BY_CODE[tlvs.find((entry) => entry.tag === TAG_ALGORITHM)?.value[0] ?? 1] ?? "SHA1";
      await proveAccess(this.transport, this.password, salt, challenge, algorithm);
    }
    this.selection.current = "extension";
  }

  private async send(what: string, ins: number, p1: number, p2: number, data?: Uint8Array): Promise<Uint8Array> {
    if (this.selection.current !== "extension") await this.select();
    return sendCommand(this.transport, what, CLA_PROPRIETARY, ins, p1, p2, data);
  }

  /** Writes a credential into slot `slot` (0-99), any digits 4-10; replaces what the slot held. */
  async putSlot(slot: number, credential: Credential): Promise<void> {
    const typeAlgorithm = (credential.type === "hotp" ? 0x10 : 0x20) | ALGORITHM_CODE[credential.algorithm];
    const parts = [
      tlv(TAG_NAME, new Uint8Array(Buffer.from(storedName(credential), "utf8"))),
      tlv(TAG_KEY, concat([new Uint8Array([typeAlgorithm, credential.digits]), credential.secret])),
    ];
    if (credential.type === "totp") parts.push(tlv(TAG_PERIOD, [credential.periodSeconds]));
    // The touch property is a bare tag and value, as YKOATH PUT has it.
    if (credential.touch) parts.push(new Uint8Array([TAG_PROPERTY, PROPERTY_REQUIRE_TOUCH]));
    if (credential.type === "hotp" && credential.counter > 0) parts.push(tlv(TAG_IMF, u32(credential.counter)));
    await this.send("PUT SLOT", INS_PUT_SLOT, slot, 0, concat(parts));
  }

  async deleteSlot(slot: number): Promise<void> {
    await this.send("DELETE SLOT", INS_DELETE_SLOT, slot, 0);
  }

  async move(fromSlot: number, toSlot: number): Promise<void> {
    await this.send("MOVE SLOT", INS_MOVE_SLOT, fromSlot, toSlot);
  }

  async listSlots(): Promise<SlotEntry[]> {
    const reply = await this.send("LIST SLOTS", INS_LIST_SLOTS, 0, 0);
    return parseTlvs(reply, "LIST SLOTS").filter((entry) => entry.tag === TAG_SLOT_ENTRY).map((entry) => {
      // slot, type|algorithm, digits, period, flags, name
      const value = entry.value;
      if (value.length < 6) throw new TransportError("LIST SLOTS: short entry");
      const type: OtpType = (value[1] & 0xf0) === 0x10 ? "hotp" : "totp";
      const name = utf8.decode(value.subarray(5));
      const split = splitStoredName(name, type);
      return {
        slot: value[0], name, type, algorithm: ALGORITHM_BY_CODE[value[1] & 0x0f] ?? "SHA1", digits: value[2],
        periodSeconds: type === "totp" ? value[3] : 0, touch: (value[4] & FLAG_TOUCH) !== 0,
        issuer: split.issuer, account: split.account,
      };
    });
  }

  async info(): Promise<DeviceInfo> {
    const reply = await this.send("DEVICE INFO", INS_DEVICE_INFO, 0, 0);
    const tlvs = parseTlvs(reply, "DEVICE INFO");
    const get = (tag: number) => tlvs.find((entry) => entry.tag === tag)?.value ?? new Uint8Array(0);
    const number = (tag: number) => {
      const value = get(tag);
      return value.length === 4 ? view(value).getUint32(0) : value.length === 1 ? value[0] : 0;
    };
    return {
      moduleVersion: [...get(0x01)].join("."),
      moduleSha256: Buffer.from(get(0x02)).toString("hex"),
      host: utf8.decode(get(0x03)),
      slotsUsed: number(0x04),
      slotsFree: number(0x05),
      storeUsedBytes: number(0x06),
      storeCapacityBytes: number(0x07),
    };
  }

  async getClock(): Promise<TokenClock> {
    const reply = await this.send("GET CLOCK", INS_GET_CLOCK, 0, 0);
    const tlvs = parseTlvs(reply, "GET CLOCK");
    const get = (tag: number) => tlvs.find((entry) => entry.tag === tag)?.value;
    const time = get(0x01);
    const drift = get(0x02);
    return {
      tokenSeconds: time && time.length === 8 ? Number(view(time).getBigInt64(0)) : null,
      driftPpb: drift && drift.length === 4 ? view(drift).getInt32(0) : 0,
      calibrationSamples: get(0x03)?.[0] ?? 0,
      pendingConfirm: (get(0x04)?.[0] ?? 0) !== 0,
    };
  }

  /** Sets the clock; true when the token waits for a press of OK to accept the jump. */
  async setClock(unixSeconds: number): Promise<boolean> {
    const bytes = new Uint8Array(8);
    view(bytes).setBigInt64(0, BigInt(Math.floor(unixSeconds)));
    const reply = await this.send("SET CLOCK", INS_SET_CLOCK, 0, 0, bytes);
    return reply[0] === 1;
  }

  /** A setting's value, or null when it was never set (the token uses its default). */
  async getSetting(id: number): Promise<number | null> {
    try {
      const reply = await this.send("GET SETTING", INS_GET_SETTING, id, 0);
      if (reply.length !== 4) throw new TransportError("GET SETTING: reply is not 4 bytes");
      return view(reply).getInt32(0);
    } catch (error) {
      if (error instanceof ApduError && error.sw === SW_SETTING_UNSET) return null;
      throw error;
    }
  }

  async setSetting(id: number, value: number): Promise<void> {
    await this.send("PUT SETTING", INS_PUT_SETTING, id, 0, u32(value));
  }

  /** Erases everything; the token waits for a press of OK before it does. */
  async factoryReset(): Promise<void> {
    await this.send("FACTORY RESET", INS_FACTORY_RESET, 0xde, 0xad);
  }
}
