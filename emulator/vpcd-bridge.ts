// Connects the emulated board's CCID interface to vsmartcard's vpcd (the pcscd reader driver), so
// PC/SC clients (ykman, pcsc_scan, the CLI's pcsc transport) use the emulated RP2040 exactly as they
// use the simulator (host-sim/vpcd.ts speaks the same protocol for the Node host). vpcd's protocol:
// 2-byte big-endian length, then a 1-byte control (0 power off, 1 power on, 2 reset, 4 get ATR) or
// an APDU, answered with the ATR or the response APDU. Emulated time follows real time between
// commands, so the firmware ticks as on a desk.
import {
  connectVpcdCard, lengthPrefixed, VPCD_CONTROL_GET_ATR, VPCD_CONTROL_POWER_OFF, VPCD_CONTROL_POWER_ON,
  VPCD_CONTROL_RESET, VPCD_DEFAULT_PORT, VpcdBridge,
} from "../host-sim/vpcd.js";
import { CcidClient } from "./usb-client.js";
import type { EmulatedToken } from "./token.js";

export interface EmulatedVpcdOptions {
  host?: string;
  retryMs?: number;
  /** Run emulated time along with real time between commands (default true). */
  followRealTime?: boolean;
}

const CLOCK_INTERVAL_MS = 10;
const MAX_CATCH_UP_MS = 50;
const CCID_POWER_OFF = 0x63;

export function serveVpcdEmulated(token: EmulatedToken, port = VPCD_DEFAULT_PORT, options: EmulatedVpcdOptions = {}): VpcdBridge {
  const ccid = new CcidClient(token.usb);
  let powered = false;
  let atr: Uint8Array | null = null;

  let lastRealMs = Date.now();
  const clock = options.followRealTime === false ? null : setInterval(() => {
    const now = Date.now();
    const elapsed = Math.min(MAX_CATCH_UP_MS, now - lastRealMs);
    lastRealMs = now;
    if (elapsed > 0 && token.board.halted === null) token.run(elapsed);
  }, CLOCK_INTERVAL_MS);

  const powerOn = (): Uint8Array => {
    const reply = ccid.powerOn();
    powered = true;
    atr = reply.data.slice();
    return atr;
  };

  const answer = (message: Uint8Array): Uint8Array | null => {
    if (message.length === 1) {
      const control = message[0];
      if (control === VPCD_CONTROL_GET_ATR) return atr ?? powerOn();
      if (control === VPCD_CONTROL_POWER_ON || control === VPCD_CONTROL_RESET) powerOn();
      if (control === VPCD_CONTROL_POWER_OFF) {
        ccid.exchange(CCID_POWER_OFF);
        powered = false;
      }
      return null;
    }
    if (!powered) powerOn();
    return ccid.transmit(message);
  };

  const connection = connectVpcdCard(port, options, (sock, message) => {
    if (message.length === 0) return;
    let response: Uint8Array | null;
    try {
      response = answer(message);
    } catch {
      sock.destroy(); // the board halted or stopped answering: the card is gone
      return;
    }
    lastRealMs = Date.now(); // time spent emulating the command already moved the board's clock
    if (response !== null && !sock.destroyed) sock.write(lengthPrefixed(response));
  });

  return {
    connected: connection.connected,
    get powered() {
      return powered;
    },
    close: async () => {
      if (clock !== null) clearInterval(clock);
      await connection.close();
    },
  };
}
