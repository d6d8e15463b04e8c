// Runs the totpkey CLI in-process against a simulated token (the real release module through
// host-sim's Token), capturing stdout and stderr, with scripted answers to prompts.
import { readFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { Token } from "../../host-sim/token.js";
import { SimClock } from "../../host-sim/clock.js";
import { main } from "../../cli/main.js";
import { InProcessTransport, InProcessOptions } from "../../cli/transport/inprocess.js";
import type { TransportKind } from "../../cli/device.js";
import type { Transport } from "../../cli/transport/transport.js";
import type { Io } from "../../cli/commands/framework.js";

/** 2026-12-02T12:00:00Z: "true time" at boot of every test token. */
export const T0_SECONDS = 1_796_212_800;

export interface SimulatedToken {
  token: Token;
  /** The true time: T0 plus the simulated milliseconds since boot. */
  nowSeconds(): number;
}

export function newToken(rtcOffsetSeconds: number | null = 0): SimulatedToken {
  const clock = new SimClock(rtcOffsetSeconds === null ? null : T0_SECONDS + rtcOffsetSeconds);
  const token = new Token({ clock });
  if (token.initStatus !== 0) throw new Error(`token init failed: ${token.initStatus}`);
  return { token, nowSeconds: () => T0_SECONDS + clock.nowMs / 1000 };
}

export interface RunOptions {
  /** Answers to prompts, in order (null: end of input). */
  answers?: (string | null)[];
  /** Called when the token waits for a press (touch credentials, factory reset). */
  onDeferred?: InProcessOptions["onDeferred"];
  /** Called on each io.sleep (time sync waiting for a confirming press). */
  onSleep?: (sim: SimulatedToken, ms: number) => void;
  stderrIsTty?: boolean;
  env?: Record<string, string>;
  /** Replaces the transport to the token (a token without the extension applet, say). */
  wrapTransport?: (transport: Transport) => Transport;
  /** Files readable by path in addition to the real file system. */
  files?: Record<string, Uint8Array | string>;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  prompts: { text: string; hidden: boolean }[];
}

export async function runCli(sim: SimulatedToken | null, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const prompts: { text: string; hidden: boolean }[] = [];
  const answers = [...(options.answers ?? [])];
  const io: Io = {
    stdout: { write: (text: string) => { stdout += text; return true; } },
    stderr: { write: (text: string) => { stderr += text; return true; }, isTTY: options.stderrIsTty ?? false },
    async readLine(prompt, hidden) {
      prompts.push({ text: prompt, hidden });
      stderr += prompt;
      return answers.length > 0 ? answers.shift()! : null;
    },
    async readFile(path) {
      const provided = options.files?.[path];
      if (provided !== undefined) return typeof provided === "string" ? new Uint8Array(Buffer.from(provided)) : provided;
      return new Uint8Array(await readFile(path));
    },
    now: () => (sim ? sim.nowSeconds() : T0_SECONDS),
    async sleep(ms) {
      if (sim) {
        options.onSleep?.(sim, ms);
        sim.token.advance(ms);
      }
    },
    env: options.env ?? {},
  };
  const transports: TransportKind[] = sim
    ? [{
      kind: "sim",
      detect: async () => ["in-process"],
      open: async () => {
        const transport = new InProcessTransport(sim.token, { onDeferred: options.onDeferred });
        return options.wrapTransport ? options.wrapTransport(transport) : transport;
      },
    }]
    : [];
  const status = await main(argv, { io, transports });
  return { status, stdout, stderr, prompts };
}

/** The code oathtool computes (the independent oracle). */
export function oathtool(args: string[]): string {
  return execFileSync("oathtool", args, { encoding: "utf8" }).trim();
}

/** A token that answers like a YubiKey: YKOATH only, no totpkey applet (SELECT of it: 6A82). */
export function withoutExtension(transport: Transport): Transport {
  return {
    description: "YKOATH-only token",
    async transmit(apdu) {
      const selectsExtension = apdu[1] === 0xa4 && apdu[2] === 0x04 && apdu[4] === 9 && apdu[5] === 0xf0;
      return selectsExtension ? new Uint8Array([0x6a, 0x82]) : transport.transmit(apdu);
    },
    close: () => transport.close(),
  };
}
