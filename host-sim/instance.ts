// Instantiates any build of the module (the token or a test module) against the Node host ABI.
import { instantiateSync } from "@assemblyscript/loader";
import { createImports, HostDevices } from "./abi.js";
import { NorFlash, PICO_FLASH } from "./flash.js";
import { SimClock } from "./clock.js";
import { randomBytes } from "node:crypto";

export interface Instance<T> {
  exports: T & { memory: WebAssembly.Memory };
  devices: HostDevices;
}

/** Devices that accept everything and keep nothing: a base for tests of lower layers. */
export function quietDevices(flash = new NorFlash(PICO_FLASH), clock = new SimClock()): HostDevices {
  return {
    flash,
    clock,
    random: (length) => new Uint8Array(randomBytes(length)),
    keyboardReport: () => 0,
    displayFrame: () => {},
    apduResponse: () => {},
    log: () => {},
    hostName: "host-sim 0.1.0",
  };
}

export function instantiateWithHost<T>(moduleBytes: Uint8Array, devices: HostDevices): Instance<T> {
  let memory: WebAssembly.Memory | null = null;
  const imports = createImports(devices, moduleBytes, () => {
    if (memory === null) throw new Error("module memory used before instantiation");
    return memory;
  });
  const exports = instantiateSync(moduleBytes, imports).exports as unknown as T & { memory: WebAssembly.Memory };
  memory = exports.memory;
  return { exports, devices };
}
