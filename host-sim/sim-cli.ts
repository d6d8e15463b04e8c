// totpkey-sim: the token in a terminal. Runs the real module on a simulated host with a flash image
// kept in a per-user data folder (created on first run with one demo credential), draws its display,
// maps keys to its buttons, and shows what it types as a computer with the chosen layout would see it.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { homedir } from "node:os";
import { emitKeypressEvents } from "node:readline";
import { NorFlash, PICO_FLASH } from "./flash.js";
import { SimClock } from "./clock.js";
import { BOARD_DISPLAY_128X64, BOARD_NO_DISPLAY } from "./token.js";
import { SimSession } from "./sim-session.js";
import { serveSocket } from "./socket.js";
import { serveVpcd, VPCD_DEFAULT_PORT } from "./vpcd.js";
import { HOST_LAYOUTS, HostLayout, layoutId } from "./keyboard-host.js";
import { frameToHalfBlocks, frameToPng } from "./display.js";
import {
  flashWith, FlashWriter, DEMO_CREDENTIAL, DEMO_SECRET_BASE32, SETTING_TYPING_MODE, SETTING_KEYBOARD_LAYOUT,
  TYPING_MODE_KEYPAD, TYPING_MODE_TOP_ROW,
} from "./flash-writer.js";

const HELP = `usage: totpkey-sim [options]

Runs the totpkey module (build/totpkey.wasm) on a simulated host: a 2 MiB NOR flash image, an RTC,
a display and a USB keyboard plugged into a computer that decodes what the token types.

  --flash FILE        flash image (default ${defaultFlashPath()});
                      created on first use with one demo credential, ${DEMO_CREDENTIAL.name}
                      (secret ${DEMO_SECRET_BASE32} in base32: compare with
                      oathtool --totp -b ${DEMO_SECRET_BASE32}); the file is mode 0600,
                      the default folder 0700 (it holds the secrets in plain)
  --time T            the RTC at start: unix seconds, an ISO date (2026-01-01T12:00:00Z), an offset
                      from now (+90, -3600), "now" (default), or "none" (an RTC without valid time)
  --layout NAME       the computer's keyboard layout: ${HOST_LAYOUTS.join(", ")} (default us)
  --numlock on|off    the computer's NumLock at start (default on)
  --capslock on|off   the computer's CapsLock at start (default off)
  --typing MODE       store the token's typing mode in the flash: keypad (any layout) or top-row
                      (digit row for the token layout, set to --layout)
  --board KIND        128x32 (default), 128x64, or single-button (no display)
  --script LIST       no terminal UI: press the buttons in LIST (comma separated: up, down, ok,
                      long (OK held 1 s), wait:MS), then print the result and exit; the flash file
                      is not changed
  --json              with --script (or without a terminal): print {typed, display, ...} as JSON
  --png FILE          write a PNG of the display at exit (in the terminal UI also: key p)
  --vpcd              also be the card in pcscd's vpcd reader "Virtual PCD 00 00" (PC/SC clients
                      such as ykman see the token; needs pcscd with vsmartcard-vpcd)
  --socket            also serve APDUs on the local socket for the totpkey CLI (docs/SPEC.md)
  --help              this text

Keys in the terminal UI: up/k = UP, down/j = DOWN, enter/space = OK, l = long press of OK,
n / c = press NumLock / CapsLock on the computer's own keyboard, p = PNG snapshot, x = clear the
typed text, q or Ctrl-C = quit (the flash is saved).
Without a terminal (stdin or stdout not a TTY): with --vpcd or --socket it runs headless until
SIGINT or SIGTERM; otherwise, without --script, it prints the display once and exits.
With --vpcd or --socket the flash file is saved after every APDU exchange that wrote the flash
(a temporary file renamed over it, so a crash keeps the last complete image) and at exit.`;

export function defaultFlashPath(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(dataHome, "totpkey", "flash.bin");
}

interface Options {
  flashPath: string;
  time: number | null;
  layout: HostLayout;
  numLock: boolean;
  capsLock: boolean;
  typing: number | null;
  boardFlags: number;
  script: string[] | null;
  json: boolean;
  png: string | null;
  vpcd: boolean;
  socket: boolean;
}

class UsageError extends Error {}

function parseOnOff(value: string, option: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new UsageError(`${option} takes on or off, not '${value}'`);
}

/** The --time argument as unix seconds (null: no valid time). */
export function parseTime(value: string, nowSeconds: number): number | null {
  if (value === "none") return null;
  if (value === "now") return nowSeconds;
  if (/^[+-]\d+$/.test(value)) return nowSeconds + Number(value);
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new UsageError(`--time: cannot read '${value}'`);
  return Math.floor(parsed / 1000);
}

function parseArgs(argv: string[]): Options | "help" {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const options: Options = {
    flashPath: defaultFlashPath(), time: nowSeconds, layout: "us", numLock: true, capsLock: false, typing: null,
    boardFlags: 0, script: null, json: false, png: null, vpcd: false, socket: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case "--help": case "-h": return "help";
      case "--flash": options.flashPath = value(); break;
      case "--time": options.time = parseTime(value(), nowSeconds); break;
      case "--layout": {
        const layout = value();
        if (!(HOST_LAYOUTS as readonly string[]).includes(layout)) throw new UsageError(`--layout: unknown layout '${layout}'`);
        options.layout = layout as HostLayout;
        break;
      }
      case "--numlock": options.numLock = parseOnOff(value(), arg); break;
      case "--capslock": options.capsLock = parseOnOff(value(), arg); break;
      case "--typing": {
        const mode = value();
        if (mode !== "keypad" && mode !== "top-row") throw new UsageError(`--typing takes keypad or top-row`);
        options.typing = mode === "keypad" ? TYPING_MODE_KEYPAD : TYPING_MODE_TOP_ROW;
        break;
      }
      case "--board": {
        const board = value();
        const flags: Record<string, number> = { "128x32": 0, "128x64": BOARD_DISPLAY_128X64, "single-button": BOARD_NO_DISPLAY };
        if (!(board in flags)) throw new UsageError(`--board takes 128x32, 128x64 or single-button`);
        options.boardFlags = flags[board];
        break;
      }
      case "--script": options.script = value().split(",").map((s) => s.trim()).filter((s) => s !== ""); break;
      case "--json": options.json = true; break;
      case "--png": options.png = value(); break;
      case "--vpcd": options.vpcd = true; break;
      case "--socket": options.socket = true; break;
      default: throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  return options;
}

function loadFlash(path: string): NorFlash {
  // The image holds the credentials' secrets and the access key in plain: only its owner may read it.
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (folder === dirname(defaultFlashPath())) chmodSync(folder, 0o700); // ours; a --flash folder is the user's
  if (!existsSync(path)) {
    const flash = flashWith([DEMO_CREDENTIAL]);
    saveFlash(path, flash);
    process.stderr.write(`totpkey-sim: created ${path} with the demo credential ${DEMO_CREDENTIAL.name}\n`);
    return flash;
  }
  const image = new Uint8Array(readFileSync(path));
  if (image.length !== PICO_FLASH.totalBytes) {
    throw new UsageError(`${path} is ${image.length} bytes; a flash image is ${PICO_FLASH.totalBytes}`);
  }
  return new NorFlash(PICO_FLASH, image);
}

/** Writes the image atomically (a temporary file renamed over it), mode 0600 from the first byte. */
function saveFlash(path: string, flash: NorFlash): void {
  const temporary = `${path}.tmp`;
  rmSync(temporary, { force: true }); // a leftover of a crash may have another mode
  writeFileSync(temporary, flash.bytes, { mode: 0o600, flag: "wx" });
  renameSync(temporary, path);
}

/** The vpcd card and/or the local socket; each exchange that wrote the flash saves it before the reply goes out. */
async function serveTransports(session: SimSession, options: Options, flash: NorFlash):
  Promise<{ describe: string[]; close(): Promise<void> }> {
  let savedAtOperation = flash.operations;
  const onExchange = (): void => {
    if (flash.operations === savedAtOperation) return;
    saveFlash(options.flashPath, flash);
    savedAtOperation = flash.operations;
  };
  const bridge = options.vpcd ? serveVpcd(session.token, VPCD_DEFAULT_PORT, { onExchange }) : null;
  const server = options.socket ? await serveSocket(session.token, undefined, { onExchange }) : null;
  const describe: string[] = [];
  if (bridge) {
    describe.push(`card in vpcd reader "Virtual PCD 00 00" (localhost:${VPCD_DEFAULT_PORT}; needs pcscd with vsmartcard-vpcd)`);
  }
  if (server) describe.push(`APDU socket ${server.path}`);
  return {
    describe,
    close: async () => {
      await bridge?.close();
      await server?.close();
    },
  };
}

function startSession(options: Options, flash: NorFlash): SimSession {
  if (options.typing !== null) {
    const writer = new FlashWriter(flash);
    writer.setting(SETTING_TYPING_MODE, options.typing);
    writer.setting(SETTING_KEYBOARD_LAYOUT, layoutId(options.layout));
  }
  return new SimSession({
    flash,
    clock: new SimClock(options.time),
    boardFlags: options.boardFlags,
    keyboard: { layout: options.layout, numLock: options.numLock, capsLock: options.capsLock },
  });
}

/** Runs one script item; throws UsageError for an unknown one. */
function runScriptItem(session: SimSession, item: string): void {
  const wait = /^wait:(\d+)$/.exec(item);
  if (wait) session.run(Number(wait[1]));
  else if (item === "long") session.press("ok", 1000);
  else if (item === "up" || item === "down" || item === "ok") session.press(item);
  else throw new UsageError(`--script: unknown step '${item}' (up, down, ok, long, wait:MS)`);
}

function report(session: SimSession, options: Options): void {
  const result = {
    typed: session.typed,
    display: session.displayText(),
    numLock: session.host.numLock,
    capsLock: session.host.capsLock,
    rtcSeconds: session.token.clock.readRtc(),
  };
  if (options.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    process.stdout.write(session.displayBlocks().join("\n") + "\n");
    if (result.typed !== "") process.stdout.write(`typed: ${JSON.stringify(result.typed)}\n`);
  }
  if (options.png && session.frame) writeFileSync(options.png, frameToPng(session.frame));
}

function interactive(session: SimSession, options: Options, flash: NorFlash): Promise<number> {
  const input = process.stdin;
  const output = process.stdout;
  emitKeypressEvents(input);
  input.setRawMode(true);
  input.resume();
  let status = "";
  let lastMs = Date.now();
  const draw = (): void => {
    const lines = [
      `totpkey-sim  flash ${options.flashPath}`,
      `computer: layout ${options.layout}, NumLock ${session.host.numLock ? "on" : "off"}, CapsLock ${session.host.capsLock ? "on" : "off"}`,
      "",
      "┌" + "─".repeat(128) + "┐",
      ...(options.boardFlags & BOARD_NO_DISPLAY ? ["│" + " (no display: single-button board)".padEnd(128) + "│"] :
        session.displayBlocks().map((line) => "│" + line + "│")),
      "└" + "─".repeat(128) + "┘",
      "",
      `typed: ${JSON.stringify(session.typed.slice(-60))}`,
      status,
      "keys: ↑/k up  ↓/j down  enter/space OK  l long OK  n NumLock  c CapsLock  p png  x clear  q quit",
    ];
    output.write("\x1b[H\x1b[2J" + lines.join("\n") + "\n");
  };
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      session.run(Math.max(0, now - lastMs));
      lastMs = now;
      draw();
    }, 50);
    const hold = (id: "up" | "down" | "ok", ms: number) => {
      session.token.exports.button({ up: 0, down: 1, ok: 2 }[id], 1);
      setTimeout(() => session.token.exports.button({ up: 0, down: 1, ok: 2 }[id], 0), ms);
    };
    input.on("keypress", (_text: string, key: { name?: string; ctrl?: boolean }) => {
      const name = key?.name ?? _text;
      if (name === "q" || (key?.ctrl && name === "c")) {
        clearInterval(timer);
        input.setRawMode(false);
        input.pause();
        saveFlash(options.flashPath, flash);
        if (options.png && session.frame) writeFileSync(options.png, frameToPng(session.frame));
        output.write("totpkey-sim: flash saved\n");
        resolve(0);
      } else if (name === "up" || name === "k") hold("up", 60);
      else if (name === "down" || name === "j") hold("down", 60);
      else if (name === "return" || name === "enter" || name === "space") hold("ok", 60);
      else if (name === "l") hold("ok", 1000);
      else if (name === "n" || name === "c") {
        // The user presses the lock key on the computer's own keyboard: its LEDs follow.
        if (name === "n") session.host.numLock = !session.host.numLock;
        else session.host.capsLock = !session.host.capsLock;
        session.token.setKeyboardLeds(session.host.ledBits);
      } else if (name === "p") {
        const file = options.png ?? "totpkey-display.png";
        if (session.frame) writeFileSync(file, frameToPng(session.frame));
        status = `snapshot written to ${file}`;
      } else if (name === "x") session.host.text = "";
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  let options: Options | "help";
  try {
    options = parseArgs(argv);
    if (options === "help") {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    const flash = loadFlash(options.flashPath);
    const session = startSession(options, flash);
    session.run(100);
    if (options.script !== null) {
      for (const item of options.script) runScriptItem(session, item);
      session.run(500);
      report(session, options);
      return 0;
    }
    const transports = options.vpcd || options.socket ? await serveTransports(session, options, flash) : null;
    for (const line of transports?.describe ?? []) process.stderr.write(`totpkey-sim: ${line}\n`);
    if (transports !== null && (!process.stdin.isTTY || !process.stdout.isTTY)) {
      // Headless server: run the token in real time until SIGINT/SIGTERM (exchanges save as they go), then save.
      let lastMs = Date.now();
      const timer = setInterval(() => { const now = Date.now(); session.run(Math.max(0, now - lastMs)); lastMs = now; }, 10);
      await new Promise((resolve) => { process.once("SIGINT", resolve); process.once("SIGTERM", resolve); });
      clearInterval(timer);
      await transports.close();
      saveFlash(options.flashPath, flash);
      return 0;
    }
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      report(session, options);
      return 0;
    }
    const status = await interactive(session, options, flash);
    await transports?.close();
    return status;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`totpkey-sim: ${error.message} (see --help)\n`);
      return 2;
    }
    process.stderr.write(`totpkey-sim: ${(error as Error).message}\n`);
    return 1;
  }
}
