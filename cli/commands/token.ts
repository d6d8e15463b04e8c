// time sync | show, device info | reset, access change.
import { Command, UsageError, warnSecretArgument } from "./framework.js";
import { DeviceError, requireExtension } from "../device.js";
import { OathError } from "../oath.js";

/** Beyond this offset between the token and this computer, codes may be refused: warn. */
export const CLOCK_WARNING_SECONDS = 2;

function describeOffset(offsetSeconds: number): string {
  const magnitude = Math.abs(offsetSeconds);
  return offsetSeconds === 0 ? "in step" : `${magnitude} s ${offsetSeconds > 0 ? "ahead of" : "behind"} this computer`;
}

/** How long `time sync` waits for the press that confirms a large or backward jump. */
export const CONFIRM_WAIT_MS = 60_000;
const POLL_MS = 250;

function driftText(driftPpb: number, samples: number): string {
  if (samples === 0) return "not measured yet (sync again after some days)";
  return `${(driftPpb / 1000).toFixed(3)} ppm corrected (from ${samples} sync${samples === 1 ? "" : "s"})`;
}

const timeShow: Command = {
  noun: "time",
  verb: "show",
  summary: "Show the token's clock: its offset from this computer and the drift it corrects.",
  details: `A warning goes to stderr when the token is off by more than ${CLOCK_WARNING_SECONDS} s.`,
  args: [],
  options: [],
  examples: ["totpkey time show", "totpkey time show --json"],
  async run(context) {
    const session = await context.openSession();
    try {
      const clock = await requireExtension(session, "the clock").getClock();
      const hostSeconds = context.io.now();
      // The token counts whole seconds: compare with this computer's whole second.
      const offsetSeconds = clock.tokenSeconds === null ? null : clock.tokenSeconds - Math.floor(hostSeconds);
      if (context.json) {
        context.printJson({
          tokenSeconds: clock.tokenSeconds, hostSeconds: Math.floor(hostSeconds), offsetSeconds,
          driftPpb: clock.driftPpb, calibrationSamples: clock.calibrationSamples, pendingConfirm: clock.pendingConfirm,
        });
      } else {
        context.print(`token time: ${clock.tokenSeconds === null ? "not set" : new Date(clock.tokenSeconds * 1000).toISOString()}`);
        context.print(`offset:     ${offsetSeconds === null ? "-" : describeOffset(offsetSeconds)}`);
        context.print(`drift:      ${driftText(clock.driftPpb, clock.calibrationSamples)}`);
        if (clock.pendingConfirm) context.print("pending:    a new time waits for a press of OK on the token");
      }
      if (offsetSeconds === null) context.note("warning: the token has no valid time; run 'totpkey time sync'");
      else if (Math.abs(offsetSeconds) > CLOCK_WARNING_SECONDS) {
        context.note(`warning: the token is off by ${Math.abs(offsetSeconds)} s; run 'totpkey time sync'`);
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};

const timeSync: Command = {
  noun: "time",
  verb: "sync",
  summary: "Set the token's clock from this computer's (keep this computer synced with NTP).",
  details: "The token measures its drift between syncs and corrects it. A jump of more than an hour, or\nbackwards, waits for a press of OK on the token (60 s).",
  args: [],
  options: [],
  examples: ["totpkey time sync", "totpkey --device pcsc time sync --json"],
  async run(context) {
    const session = await context.openSession();
    try {
      const extension = requireExtension(session, "the clock");
      const before = await extension.getClock();
      const hostBefore = context.io.now();
      const previousOffset = before.tokenSeconds === null ? null : before.tokenSeconds - Math.floor(hostBefore);
      const pending = await extension.setClock(context.io.now());
      if (pending) {
        context.note(`the token's clock would jump by ${previousOffset === null ? "?" : -previousOffset} s: press OK on the token to accept`);
        let waitedMs = 0;
        while ((await extension.getClock()).pendingConfirm) {
          if (waitedMs >= CONFIRM_WAIT_MS) throw new DeviceError("the new time was not confirmed on the token; nothing changed");
          await context.io.sleep(POLL_MS);
          waitedMs += POLL_MS;
        }
      }
      const after = await extension.getClock();
      const offsetSeconds = after.tokenSeconds === null ? null : after.tokenSeconds - Math.floor(context.io.now());
      if (context.json) {
        context.printJson({ previousOffsetSeconds: previousOffset, offsetSeconds, driftPpb: after.driftPpb, calibrationSamples: after.calibrationSamples });
      } else {
        context.print(`synced: the token was ${previousOffset === null ? "not set" : describeOffset(previousOffset)}; now ${offsetSeconds === null ? "unset" : describeOffset(offsetSeconds)}`);
        context.print(`drift:  ${driftText(after.driftPpb, after.calibrationSamples)}`);
      }
      if (offsetSeconds === null || Math.abs(offsetSeconds) > CLOCK_WARNING_SECONDS) {
        throw new DeviceError("the token's clock did not take the new time (it was not confirmed on the token?)");
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};

const deviceInfo: Command = {
  noun: "device",
  verb: "info",
  summary: "Show the token: versions, slots used and free, store usage, password state.",
  args: [],
  options: [],
  examples: ["totpkey device info", "totpkey --device pcsc device info --json"],
  async run(context) {
    const session = await context.openSession();
    try {
      const oath = session.oath.info!;
      const info = session.extension ? await session.extension.info() : null;
      const accounts = info ? null : (await session.oath.list()).length;
      const data = {
        transport: session.transport.description,
        oathVersion: oath.version,
        passwordSet: session.oath.passwordWasSet,
        moduleVersion: info?.moduleVersion ?? null,
        moduleSha256: info?.moduleSha256 ?? null,
        host: info?.host ?? null,
        slotsUsed: info?.slotsUsed ?? accounts,
        slotsFree: info?.slotsFree ?? null,
        storeUsedBytes: info?.storeUsedBytes ?? null,
        storeCapacityBytes: info?.storeCapacityBytes ?? null,
      };
      if (context.json) context.printJson(data);
      else {
        context.print(`device:         ${data.transport}`);
        context.print(`OATH applet:    version ${data.oathVersion}${data.passwordSet ? ", password set" : ", no password"}`);
        if (info) {
          context.print(`module:         ${info.moduleVersion}`);
          context.print(`module SHA-256: ${info.moduleSha256}`);
          context.print(`host:           ${info.host}`);
          context.print(`slots:          ${info.slotsUsed} used, ${info.slotsFree} free`);
          context.print(`store:          ${info.storeUsedBytes} of ${info.storeCapacityBytes} bytes used`);
        } else {
          context.print(`accounts:       ${accounts} (not a totpkey: no slot or store details)`);
        }
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};

const deviceReset: Command = {
  noun: "device",
  verb: "reset",
  summary: "Erase every account, the password and the settings (asks first unless --force).",
  details: "A totpkey also waits for a press of OK on the token before it erases anything.",
  args: [],
  options: [],
  examples: ["totpkey device reset", "totpkey device reset -f"],
  async run(context) {
    if (!(await context.confirm("erase every account, the password and all settings from the token?"))) {
      context.note("nothing erased");
      return 1;
    }
    const session = await context.openSession();
    try {
      if (session.extension) {
        context.note("press OK on the token to confirm the reset");
        await session.extension.factoryReset();
      } else {
        await session.oath.reset();
      }
      if (context.json) context.printJson({ reset: true });
      context.note("the token is reset");
      return 0;
    } finally {
      await session.close();
    }
  },
};

const accessChange: Command = {
  noun: "access",
  verb: "change",
  summary: "Set, change or remove the access password (YKOATH, shared with ykman and Yubico Authenticator).",
  args: [],
  options: [
    { name: "new-password", short: "n", value: "PASSWORD", description: "the new password (better: TOTPKEY_NEW_PASSWORD or the hidden prompt, asked twice)" },
    { name: "clear", description: "remove the password" },
  ],
  details: "Passwords are best typed at the hidden prompts. For scripts, TOTPKEY_PASSWORD holds the current\npassword and TOTPKEY_NEW_PASSWORD the new one: options on the command line can be read by other\nusers (ps, /proc/PID/cmdline) and stay in the shell history, so they draw a warning.",
  examples: [
    "totpkey access change                              # prompts for the current and new password, hidden",
    "totpkey access change --clear                      # prompts for the current password",
    "TOTPKEY_PASSWORD=\"$(pass show token)\" totpkey access change --clear",
  ],
  async run(context) {
    const { parsed, io } = context;
    if (parsed.flag("clear") && parsed.flag("new-password")) throw new UsageError("give --new-password or --clear, not both");
    const session = await context.openSession();
    try {
      if (parsed.flag("clear")) {
        if (!session.oath.passwordWasSet) {
          context.note("no password is set");
          return 0;
        }
        await session.oath.clearPassword();
        context.note("password removed");
        return 0;
      }
      let password = parsed.value("new-password");
      if (password !== undefined) warnSecretArgument(context, "--new-password", "use TOTPKEY_NEW_PASSWORD or the hidden prompt");
      password ??= io.env.TOTPKEY_NEW_PASSWORD;
      if (password === undefined) {
        password = (await io.readLine("New password (hidden): ", true)) ?? "";
        const again = (await io.readLine("Repeat it: ", true)) ?? "";
        if (password !== again) throw new OathError("the two passwords differ; nothing changed");
      }
      if (password === "") throw new OathError("the password is empty (use --clear to remove it)");
      await session.oath.setPassword(password);
      context.note("password set: the token asks for it from now on (hidden prompt, or TOTPKEY_PASSWORD)");
      return 0;
    } finally {
      await session.close();
    }
  },
};

export const tokenCommands: Command[] = [timeSync, timeShow, deviceInfo, deviceReset, accessChange];
export { DeviceError };
