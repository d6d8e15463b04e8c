// The simulator as a user runs it: bin/totpkey-sim.mjs (the compiled dist/, built by npm test's
// pretest). Script mode prints JSON; the demo flash is created on first run in the data folder and
// its code matches oathtool, owner-only (0600 in a 0700 folder); without a terminal it prints the
// display once and exits, or with --socket serves headless and saves every write at once (a kill
// loses nothing); --help lists exactly the options the parser takes.
import { describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../host-sim/paths.js";
import { DEMO_SECRET_BASE32, putSlotData } from "../host-sim/flash-writer.js";
import { NorFlash, PICO_FLASH } from "../host-sim/flash.js";
import { Token } from "../host-sim/token.js";
import { SocketClient } from "../host-sim/socket.js";
import { apdu, EXT, EXTENSION_AID, INS, parseTlvs, selectExtension, send, swOf, utf8 } from "./applet-kit.js";

const root = packageRoot();
const bin = join(root, "bin", "totpkey-sim.mjs");

function sim(args: string[], dataHome: string, input = "") {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8", input, timeout: 60_000, env: { ...process.env, XDG_DATA_HOME: dataHome },
  });
  if (result.error) throw result.error;
  return result;
}

function oathtool(unixSeconds: number): string {
  const when = new Date(unixSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return execFileSync("oathtool", ["--totp", "-b", DEMO_SECRET_BASE32, `--now=${when}`], { encoding: "utf8" }).trim();
}

describe("totpkey-sim", () => {
  it("creates the demo flash on first run; --script --json types oathtool's code for --time", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const time = 1_800_000_015;
    const result = sim(["--script", "ok", "--time", String(time), "--json"], dataHome);
    expect(result.status, result.stderr).toBe(0);
    const flashPath = join(dataHome, "totpkey", "flash.bin");
    expect(statSync(flashPath).size).toBe(2 * 1024 * 1024);
    const output = JSON.parse(result.stdout);
    expect(output.typed).toBe(oathtool(time));
    expect(output.display).toEqual(["00 demo@totpkey", oathtool(time)]);
  });

  it("creates the data folder 0700 and the flash file 0600 (they hold the secrets)", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    expect(sim(["--script", ""], dataHome).status).toBe(0);
    expect(statSync(join(dataHome, "totpkey")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataHome, "totpkey", "flash.bin")).mode & 0o777).toBe(0o600);
  });

  it("headless with --socket: a credential put over the socket is on disk before the reply, so a kill keeps it", async () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const runtime = mkdtempSync(join(tmpdir(), "totpkey-run-"));
    const child = spawn(process.execPath, [bin, "--socket"], {
      stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, XDG_DATA_HOME: dataHome, XDG_RUNTIME_DIR: runtime },
    });
    try {
      let stderr = "";
      const socketPath = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
          const match = /APDU socket (\S+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`totpkey-sim exited ${code}: ${stderr}`)));
      });
      const client = await SocketClient.connect(socketPath);
      expect(swOf(await client.transmit(apdu(0x00, INS.SELECT, 0x04, 0x00, EXTENSION_AID)))).toBe(0x9000);
      const data = Uint8Array.from(putSlotData({ slot: 7, name: "kept@crash", secret: utf8("abcdefghij") }));
      expect(swOf(await client.transmit(apdu(0x80, EXT.PUT_SLOT, 7, 0, data)))).toBe(0x9000);
      client.close();
      child.kill("SIGKILL");
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once("exit", resolve)));
      const flashPath = join(dataHome, "totpkey", "flash.bin");
      const token = new Token({ flash: new NorFlash(PICO_FLASH, new Uint8Array(readFileSync(flashPath))) });
      expect(selectExtension(token).sw).toBe(0x9000);
      const slots = send(token, apdu(0x80, EXT.LIST_SLOTS, 0, 0));
      const names = parseTlvs(slots.data).map((entry) => new TextDecoder().decode(entry.value.subarray(5)));
      expect(names).toEqual(["demo@totpkey", "kept@crash"]);
      expect(statSync(flashPath).mode & 0o777).toBe(0o600);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("types the right digits for an AZERTY computer with NumLock off, in both typing modes", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const time = 1_800_000_100;
    for (const typing of ["keypad", "top-row"]) {
      const flash = join(dataHome, `${typing}.bin`);
      const result = sim(["--flash", flash, "--layout", "fr", "--numlock", "off", "--typing", typing,
        "--script", "down,ok,wait:100", "--time", String(time), "--json"], dataHome);
      expect(result.status, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout);
      expect(output.typed).toBe(oathtool(time));
      expect(output.numLock).toBe(false);
    }
  });

  it("without valid time it types nothing and says so", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const output = JSON.parse(sim(["--script", "ok", "--time", "none", "--json"], dataHome).stdout);
    expect(output.typed).toBe("");
    expect(output.display[0]).toBe("No time set");
  });

  it("without a terminal and without a script it prints the display once and exits 0", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const result = sim([], dataHome, "ok\n");
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n").length).toBeGreaterThanOrEqual(16);
    expect(result.stdout).toMatch(/[▀▄█]/);
  });

  it("writes a PNG snapshot on request", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const png = join(dataHome, "display.png");
    expect(sim(["--script", "", "--png", png], dataHome).status).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  });

  it("--help lists exactly the options the parser takes; unknown options exit 2", () => {
    const dataHome = mkdtempSync(join(tmpdir(), "totpkey-sim-"));
    const help = sim(["--help"], dataHome).stdout;
    const source = readFileSync(join(root, "host-sim", "sim-cli.ts"), "utf8");
    const parsed = new Set([...source.matchAll(/case "(--[a-z-]+)"/g)].map((m) => m[1]));
    const documented = new Set([...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...parsed].sort());
    expect(parsed.size).toBeGreaterThanOrEqual(10);
    expect(existsSync(join(dataHome, "totpkey"))).toBe(false); // --help touches nothing
    const bad = sim(["--no-such-option"], dataHome);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--no-such-option");
  });
});
