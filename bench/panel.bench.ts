// Module work per press of OK in Node: the time spent inside the module's exports (button edges and
// every tick until the code is typed, the display redrawn), measured around each call so the
// simulated host's own work is not counted. Also the cost of an idle tick and of a redraw.
import { performance } from "node:perf_hooks";
import type { Bench } from "./run.js";
import { SimSession } from "../host-sim/sim-session.js";
import { SimClock } from "../host-sim/clock.js";
import { TICK_MS, BUTTON_OK } from "../host-sim/token.js";
import {
  flashWith, Credential, DEMO_CREDENTIAL, ALG_SHA512, SETTING_TYPING_PACE_MS, SETTING_DISPLAY_TIMEOUT_SECONDS,
} from "../host-sim/flash-writer.js";

const PRESSES = 300;
const START_SECONDS = 1_800_000_010;

interface Case {
  label: string;
  credential: Credential;
  numLock: boolean;
}

function measure({ credential, numLock }: Case) {
  // No display timeout: a press on a dark display only wakes it.
  const flash = flashWith([credential], [[SETTING_TYPING_PACE_MS, 0], [SETTING_DISPLAY_TIMEOUT_SECONDS, 0]]);
  const session = new SimSession({ flash, clock: new SimClock(START_SECONDS), keyboard: { numLock, ledDelayMs: 0 } });
  const { exports } = session.token;
  let moduleMs = 0;
  let ticks = 0;
  const timed = (call: () => void) => {
    const start = performance.now();
    call();
    moduleMs += performance.now() - start;
  };
  const tick = () => {
    session.token.clock.advance(TICK_MS);
    for (const bits of session.host.takeLedReports(session.token.clock.nowMs)) timed(() => exports.keyboard_leds(bits));
    timed(() => exports.tick());
    ticks++;
  };
  for (let i = 0; i < 100; i++) tick(); // warm up
  let reports = 0;
  let frames = 0;
  const perPress: number[] = [];
  for (let press = 0; press < PRESSES; press++) {
    moduleMs = 0;
    session.token.clock.advance(30_000); // a new time step each press (else: "wait")
    timed(() => exports.tick());
    const reportsBefore = session.token.keyboardReports.length;
    const framesBefore = session.token.frameCount;
    timed(() => exports.button(BUTTON_OK, 1));
    for (let i = 0; i < 6; i++) tick();
    timed(() => exports.button(BUTTON_OK, 0));
    for (let i = 0; i < 40; i++) tick(); // typing done well within 400 ms at pace 0
    reports += session.token.keyboardReports.length - reportsBefore;
    frames += session.token.frameCount - framesBefore;
    perPress.push(moduleMs * 1000);
  }
  if (session.typed.length < PRESSES * (credential.digits ?? 6)) throw new Error("bench: not every press typed a code");
  perPress.sort((a, b) => a - b);
  return {
    medianMicroseconds: perPress[Math.floor(PRESSES / 2)],
    p90Microseconds: perPress[Math.floor(PRESSES * 0.9)],
    reportsPerPress: reports / PRESSES, framesPerPress: frames / PRESSES };
}

function idleTick() {
  const session = new SimSession({ flash: flashWith([DEMO_CREDENTIAL]), clock: new SimClock(START_SECONDS) });
  const { exports } = session.token;
  const count = 20_000;
  let quiet = 0;
  let redraw = 0;
  let redraws = 0;
  for (let i = 0; i < count; i++) {
    session.token.clock.advance(TICK_MS);
    const frames = session.token.frameCount;
    const start = performance.now();
    exports.tick();
    const spent = performance.now() - start;
    // A tick that drew a new frame (the bar moves every second) against one that had nothing to do.
    if (session.token.frameCount !== frames) {
      redraw += spent;
      redraws++;
    } else quiet += spent;
  }
  return { quietMicroseconds: (quiet * 1000) / (count - redraws), redrawMicroseconds: (redraw * 1000) / Math.max(1, redraws) };
}

const bench: Bench = async () => {
  const cases: Case[] = [
    { label: "SHA-1, 6 digits, keypad, NumLock on", credential: DEMO_CREDENTIAL, numLock: true },
    { label: "SHA-1, 6 digits, keypad, NumLock off (toggled and restored)", credential: DEMO_CREDENTIAL, numLock: false },
    {
      label: "SHA-512, 8 digits, 64-byte key, keypad, NumLock on",
      credential: { slot: 0, name: "sha512", secret: new Uint8Array(64).fill(7), algorithm: ALG_SHA512, digits: 8 },
      numLock: true,
    },
  ];
  const rows = cases.map((c) => {
    const result = measure(c);
    return `| ${c.label} | ${result.medianMicroseconds.toFixed(0)} | ${result.p90Microseconds.toFixed(0)} | ` +
      `${result.reportsPerPress} | ${result.framesPerPress.toFixed(1)} |`;
  });
  const idle = idleTick();
  return {
    title: "Front panel: module work per OK press",
    markdown: `Time inside the release module's exports (button, tick, keyboard_leds) for one press of OK ` +
      `through to the last keyboard report, typing pace 0 (one report per 10 ms tick), over ` +
      `${PRESSES} presses (median and 90th percentile), each in a new time step: the code's HMAC, the HID reports, and the redraws ` +
      `(typing header, code). Node's JIT, so on the board wasm3 is far slower; the cycle count there ` +
      `comes with the emulator.\n\n` +
      `| press | module µs per press (median) | 90th percentile | reports | frames sent |\n|---|---|---|---|---|\n${rows.join("\n")}\n\n` +
      `An idle tick costs ${idle.quietMicroseconds.toFixed(2)} µs; a tick that redraws and sends a frame ` +
      `(the countdown bar, once a second) ${idle.redrawMicroseconds.toFixed(0)} µs.`,
  };
};
export default bench;
