// Writes credentials and settings into a flash image through the module's own store code (the test
// module build/testkit-ui.wasm, assembly/testkit/ui.ts), so the image is exactly what the token's
// store would have written. The simulator's demo flash and the panel tests' fixtures come from here.
import { NorFlash } from "./flash.js";
import { instantiateWithHost, quietDevices } from "./instance.js";
import { readModule } from "./paths.js";
import { SimClock } from "./clock.js";
import { DEFAULT_REGION_BYTES } from "./token.js";

export const KIND_HOTP = 1;
export const KIND_TOTP = 2;
export const ALG_SHA1 = 1;
export const ALG_SHA256 = 2;
export const ALG_SHA512 = 3;

// Setting ids of assembly/store/settings-ids.ts.
export const SETTING_KEYBOARD_LAYOUT = 1;
export const SETTING_TYPING_MODE = 2;
export const SETTING_AFTER_CODE = 3;
export const SETTING_DISPLAY_TIMEOUT_SECONDS = 4;
export const SETTING_TYPING_PACE_MS = 5;
export const SETTING_SELECTED_SLOT = 6;

export const TYPING_MODE_KEYPAD = 0;
export const TYPING_MODE_TOP_ROW = 1;

export interface Credential {
  slot: number;
  name: string;
  secret: Uint8Array;
  kind?: number; // default TOTP
  algorithm?: number; // default SHA-1
  digits?: number; // default 6
  periodSeconds?: number; // default 30
  counter?: bigint; // HOTP start, default 0
  flags?: number;
}

interface UiKit {
  memory: WebAssembly.Memory;
  storeMount(regionOffset: number, regionBytes: number, sectorBytes: number, pageBytes: number): number;
  slotPut(slot: number, name: number, nameBytes: number, kind: number, algorithm: number, digits: number,
    periodSeconds: number, counter: bigint, flags: number, secret: number, secretBytes: number): number;
  settingPut(id: number, value: number): number;
  scratchBuffer(): number;
}

/** The demo credential of a fresh simulator flash: RFC 6238's SHA-1 test secret, documented in README. */
export const DEMO_CREDENTIAL: Credential = {
  slot: 0,
  name: "demo@totpkey",
  secret: new TextEncoder().encode("12345678901234567890"),
};
/** The same secret in base32, as oathtool takes it. */
export const DEMO_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/** Opens the store of `flash` (the last regionBytes) with the store code, to put credentials and settings. */
export class FlashWriter {
  private readonly kit: UiKit;

  constructor(readonly flash: NorFlash, regionBytes = DEFAULT_REGION_BYTES) {
    const devices = quietDevices(flash, new SimClock());
    this.kit = instantiateWithHost<UiKit>(readModule("testkit-ui"), devices).exports;
    const { totalBytes, sectorBytes, pageBytes } = flash.geometry;
    const status = this.kit.storeMount(totalBytes - regionBytes, regionBytes, sectorBytes, pageBytes);
    if (status < 0) throw new Error(`store mount failed with status ${status}`);
  }

  put(credential: Credential): void {
    const name = new TextEncoder().encode(credential.name);
    const scratch = this.kit.scratchBuffer();
    const memory = new Uint8Array(this.kit.memory.buffer);
    if (name.length > 64 || credential.secret.length > 128) throw new RangeError("name or secret too long");
    memory.set(name, scratch);
    memory.set(credential.secret, scratch + 64);
    const status = this.kit.slotPut(credential.slot, scratch, name.length, credential.kind ?? KIND_TOTP,
      credential.algorithm ?? ALG_SHA1, credential.digits ?? 6, credential.periodSeconds ?? 30,
      credential.counter ?? 0n, credential.flags ?? 0, scratch + 64, credential.secret.length);
    if (status < 0) throw new Error(`slotPut(${credential.slot}) failed with status ${status}`);
  }

  setting(id: number, value: number): void {
    const status = this.kit.settingPut(id, value);
    if (status < 0) throw new Error(`settingPut(${id}) failed with status ${status}`);
  }
}

/** A fresh flash holding `credentials` (default: the demo credential). */
export function flashWith(credentials: Credential[] = [DEMO_CREDENTIAL], settings: [number, number][] = []): NorFlash {
  const flash = new NorFlash();
  const writer = new FlashWriter(flash);
  for (const credential of credentials) writer.put(credential);
  for (const [id, value] of settings) writer.setting(id, value);
  return flash;
}
