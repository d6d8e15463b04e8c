// Every way the CLI can reach a token, in the order auto-detection lists them.
import type { TransportKind } from "../device.js";
import { socketKind } from "./socket.js";
import { pcscKind } from "./pcsc.js";
import { hidKind } from "./hid.js";

export function defaultTransports(): TransportKind[] {
  return [socketKind, pcscKind, hidKind];
}
