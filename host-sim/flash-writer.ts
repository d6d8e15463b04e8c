// Writes credentials and settings into a flash image as any host would: it boots the release module
// (host-sim/token.ts) on the image and sends the totpkey extension applet's PUT SLOT and PUT SETTING
// (docs/SPEC.md, "APDU applets"), so the image is what the token itself writes, and nothing here
// reaches into the module's internals. The simulator's demo flash and the panel tests' fixtures come
// from here. Only what the applets accept can be written (settings 1..5 within their ranges).
import { NorFlash } from "./flash.js";
import { SimClock } from "./clock.js";
import { DEFAULT_REGION_BYTES, Token } from "./token.js";
import { ALG_SHA1, KIND_HOTP, KIND_TOTP } from "./module-constants.js";

export {
  KIND_HOTP, KIND_TOTP, ALG_SHA1, ALG_SHA256, ALG_SHA512, SETTING_KEYBOARD_LAYOUT, SETTING_TYPING_MODE, SETTING_AFTER_CODE,
  SETTING_DISPLAY_TIMEOUT_SECONDS, SETTING_TYPING_PACE_MS, SETTING_SELECTED_SLOT, TYPING_MODE_KEYPAD, TYPING_MODE_TOP_ROW,
} from "./module-constants.js";

export interface Credential {
  slot: number;
  name: string;
  secret: Uint8Array;
  kind?: number; // default TOTP
  algorithm?: number; // default SHA-1
  digits?: number; // default 6
  periodSeconds?: number; // default 30 (TOTP only)
  counter?: bigint; // HOTP start, default 0 (PUT SLOT carries 32 bits)
  flags?: number; // bit 0: touch required
}

/** The demo credential of a fresh simulator flash: RFC 6238's SHA-1 test secret, documented in README. */
export const DEMO_CREDENTIAL: Credential = {
  slot: 0,
  name: "demo@totpkey",
  secret: new TextEncoder().encode("12345678901234567890"),
};
/** The same secret in base32, as oathtool takes it. */
export const DEMO_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

// The extension applet's encodings (docs/SPEC.md, "totpkey extension").
const EXTENSION_AID = [0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01];
const CLA_ISO = 0x00;
const CLA_EXTENSION = 0x80;
const INS_SELECT = 0xa4;
const INS_PUT_SLOT = 0x01;
const INS_PUT_SETTING = 0x31;
const TAG_NAME = 0x71;
const TAG_KEY = 0x73;
const TAG_PROPERTY = 0x78;
const TAG_IMF = 0x7a;
const TAG_PERIOD = 0x7d;
const PROPERTY_REQUIRE_TOUCH = 0x02;
const FLAG_TOUCH = 1;
const SW_OK = 0x9000;

/** BER-TLV with a one-byte tag. */
function tlv(tag: number, value: Uint8Array | number[]): number[] {
  const length = value.length < 0x80 ? [value.length]
    : value.length < 0x100 ? [0x81, value.length] : [0x82, value.length >> 8, value.length & 0xff];
  return [tag, ...length, ...value];
}

/** A command APDU without Le: short when the data fits, else extended. */
function commandApdu(cla: number, ins: number, p1: number, p2: number, data: number[]): Uint8Array {
  const lc = data.length === 0 ? [] : data.length < 0x100 ? [data.length] : [0, data.length >> 8, data.length & 0xff];
  return Uint8Array.from([cla, ins, p1, p2, ...lc, ...data]);
}

/** PUT SLOT's data for `credential` (name, key, touch property, initial HOTP counter, period). */
export function putSlotData(credential: Credential): number[] {
  const kind = credential.kind ?? KIND_TOTP;
  if (kind !== KIND_TOTP && kind !== KIND_HOTP) throw new RangeError(`unknown credential kind ${kind}`);
  const flags = credential.flags ?? 0;
  if ((flags & ~FLAG_TOUCH) !== 0) throw new RangeError(`flags ${flags}: only bit 0 (touch) can be provisioned`);
  const typeAlgorithm = (kind === KIND_HOTP ? 0x10 : 0x20) | (credential.algorithm ?? ALG_SHA1);
  const data = [
    ...tlv(TAG_NAME, new TextEncoder().encode(credential.name)),
    ...tlv(TAG_KEY, [typeAlgorithm, credential.digits ?? 6, ...credential.secret]),
  ];
  if (flags & FLAG_TOUCH) data.push(TAG_PROPERTY, PROPERTY_REQUIRE_TOUCH); // ykman's form: no length
  if (kind === KIND_HOTP) {
    const counter = credential.counter ?? 0n;
    if (counter < 0n || counter > 0xffffffffn) throw new RangeError(`HOTP counter ${counter}: PUT SLOT carries 32 bits`);
    if (counter !== 0n) data.push(...tlv(TAG_IMF, [24, 16, 8, 0].map((shift) => Number((counter >> BigInt(shift)) & 0xffn))));
  } else {
    data.push(...tlv(TAG_PERIOD, [credential.periodSeconds ?? 30]));
  }
  return data;
}

const swOf = (response: Uint8Array): number => (response[response.length - 2] << 8) | response[response.length - 1];

/** Opens the store of `flash` (the last regionBytes) by booting the token on it, to put credentials and settings. */
export class FlashWriter {
  private readonly token: Token;

  constructor(readonly flash: NorFlash, regionBytes = DEFAULT_REGION_BYTES) {
    this.token = new Token({ flash, clock: new SimClock(), regionBytes });
    if (this.token.initStatus !== 0) throw new Error(`module init failed with status ${this.token.initStatus}`);
    // With an access password set the applet stays locked and the PUTs below answer 6982.
    this.exchange("SELECT", commandApdu(CLA_ISO, INS_SELECT, 0x04, 0x00, EXTENSION_AID));
  }

  put(credential: Credential): void {
    const slot = credential.slot;
    if (!Number.isInteger(slot) || slot < 0 || slot > 99) throw new RangeError(`slot ${slot}: slots are 0..99`);
    this.exchange(`PUT SLOT ${slot}`, commandApdu(CLA_EXTENSION, INS_PUT_SLOT, slot, 0, putSlotData(credential)));
  }

  setting(id: number, value: number): void {
    const bytes = [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff);
    this.exchange(`PUT SETTING ${id} = ${value}`, commandApdu(CLA_EXTENSION, INS_PUT_SETTING, id, 0, bytes));
  }

  /** Sends one command; its reply data, or an error naming the command and its status word. */
  private exchange(what: string, command: Uint8Array): Uint8Array {
    const response = this.token.apdu(command);
    if (response === null) throw new Error(`${what}: the token waits for a press`);
    const sw = swOf(response);
    if (sw === 0x6982) throw new Error(`${what}: refused with 6982 (the token has an access password or is locked)`);
    if (sw !== SW_OK) throw new Error(`${what}: refused with ${sw.toString(16).padStart(4, "0")}`);
    return response.subarray(0, response.length - 2);
  }
}

/** A fresh flash holding `credentials` (default: the demo credential) and `settings`. */
export function flashWith(credentials: Credential[] = [DEMO_CREDENTIAL], settings: [number, number][] = []): NorFlash {
  const flash = new NorFlash();
  const writer = new FlashWriter(flash);
  for (const credential of credentials) writer.put(credential);
  for (const [id, value] of settings) writer.setting(id, value);
  return flash;
}
