// totpkey: provisioning and daily use of a totpkey (or any YKOATH token) from the command line.
// stdout carries data only; prompts, progress and notes go to stderr; errors are one line.
import { Command, Context, GLOBAL_OPTIONS, Io, UsageError, checkArgumentCount, commandHelp, nounHelp, parseArguments, warnSecretArgument } from "./commands/framework.js";
import { accountCommands } from "./commands/accounts.js";
import { importCommands } from "./commands/import.js";
import { tokenCommands } from "./commands/token.js";
import { settingsCommands } from "./commands/settings.js";
import { TransportKind, openSession, openTransport } from "./device.js";
import { nodeIo } from "./io.js";

export const VERSION = "0.1.0";

export const COMMANDS: Command[] = [...accountCommands.slice(0, 1), ...importCommands, ...accountCommands.slice(1), ...tokenCommands, ...settingsCommands];

const NOUN_SUMMARIES: Record<string, string> = {
  accounts: "add, import, list, show codes of, delete, rename and move accounts",
  time: "the token's clock: sync it, show offset and drift",
  device: "device information and factory reset",
  settings: "keyboard layout, typing mode, what follows a code",
  access: "the access password",
};

function topHelp(): string {
  const lines = [
    "usage: totpkey [--device DEVICE] [--password PASSWORD] NOUN VERB [OPTIONS] [ARGS]",
    "",
    "Provision and use a totpkey TOTP/HOTP token (or any YKOATH token) over the simulator's socket,",
    "PC/SC or USB HID. Data goes to stdout (add --json for machine use), messages to stderr.",
    "",
    "commands:",
  ];
  const entries = Object.entries(NOUN_SUMMARIES).map(([noun, summary]) => {
    const verbs = COMMANDS.filter((command) => command.noun === noun).map((command) => command.verb).join("|");
    return { usage: `${noun} ${verbs}`, summary };
  });
  // The summaries start two columns after the longest "noun verb|verb" entry.
  const usageWidth = Math.max(...entries.map((entry) => entry.usage.length)) + 2;
  for (const { usage, summary } of entries) lines.push(`  ${usage.padEnd(usageWidth)}${summary}`);
  lines.push("", "global options:");
  for (const spec of GLOBAL_OPTIONS) lines.push(`  ${((spec.short ? `-${spec.short}, ` : "    ") + `--${spec.name}` + (spec.value ? ` ${spec.value}` : "")).padEnd(28)} ${spec.description}`);
  lines.push("", "examples:",
    "  totpkey accounts add GitHub:octocat",
    "  totpkey accounts import google-export.png",
    "  totpkey accounts code github",
    "  totpkey --device pcsc time sync",
    "",
    "environment:",
    "  TOTPKEY_DEVICE       as --device",
    "  TOTPKEY_PASSWORD     the access password (without it, a hidden prompt; --password on the command",
    "                       line is readable by other users and draws a warning)",
    "  TOTPKEY_SIM_SOCKET   the simulator's socket (default $XDG_RUNTIME_DIR/totpkey/sim.sock)",
    "  TOTPKEY_DEBUG        when set (to anything non-empty), an error also prints where in the code it",
    "                       arose (a stack trace; it never holds secrets)",
    "",
    "Run 'totpkey NOUN VERB --help' for each command's options and examples.");
  return lines.join("\n") + "\n";
}

export interface MainOptions {
  io?: Io;
  transports?: TransportKind[];
}

/** Runs one command line; returns the exit status (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? nodeIo();
  const fail = (message: string, status: number) => {
    io.stderr.write(`totpkey: error: ${message}\n`);
    return status;
  };
  const nouns = new Set(COMMANDS.map((command) => command.noun));
  // Global options may come before the noun; skip their values when looking for it.
  let nounIndex = -1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--device" || arg === "-d" || arg === "--password" || arg === "-p") { i++; continue; }
    if (!arg.startsWith("-")) { nounIndex = i; break; }
  }
  if (nounIndex < 0) {
    if (argv.includes("--version")) { io.stdout.write(`totpkey ${VERSION}\n`); return 0; }
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) { io.stdout.write(topHelp()); return argv.length === 0 ? 2 : 0; }
    return fail(`missing command (see 'totpkey --help')`, 2);
  }
  const noun = argv[nounIndex];
  // An unknown word is not quoted: it may be a secret or password typed in the wrong place.
  if (!nouns.has(noun)) return fail(`unknown command (commands: ${[...nouns].join(", ")})`, 2);
  const verbs = COMMANDS.filter((command) => command.noun === noun);
  const verb = argv[nounIndex + 1];
  const rest = [...argv.slice(0, nounIndex), ...argv.slice(nounIndex + 2)];
  if (verb === undefined || verb.startsWith("-")) {
    io.stdout.write(nounHelp(noun, verbs));
    return verb === "--help" || verb === "-h" ? 0 : 2;
  }
  const command = verbs.find((candidate) => candidate.verb === verb);
  if (!command) return fail(`unknown ${noun} command (${noun}: ${verbs.map((c) => c.verb).join(", ")})`, 2);
  try {
    const parsed = parseArguments(rest, [...GLOBAL_OPTIONS, ...command.options]);
    if (parsed.flag("help")) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    checkArgumentCount(command, parsed.args);
    if (parsed.value("password") !== undefined) warnSecretArgument({ note: (line) => io.stderr.write(`${line}\n`) }, "--password", "use TOTPKEY_PASSWORD or the hidden prompt");
    const force = parsed.flag("force");
    const context: Context = {
      io,
      parsed,
      json: parsed.flag("json"),
      force,
      async openSession() {
        const { defaultTransports } = await import("./transport/index.js");
        const transport = await openTransport(parsed.value("device") ?? io.env.TOTPKEY_DEVICE, options.transports ?? defaultTransports(), io.env);
        return openSession(transport, parsed.value("password") ?? io.env.TOTPKEY_PASSWORD, () => io.readLine("Password (hidden): ", true));
      },
      async confirm(question) {
        if (force) return true;
        const answer = await io.readLine(`${question} [y/N] `, false);
        if (answer === null) {
          io.stderr.write("\n(no answer on standard input: use --force to skip confirmations)\n");
          return false;
        }
        return /^y(es)?$/i.test(answer.trim());
      },
      print: (line) => io.stdout.write(`${line}\n`),
      printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
      note: (line) => io.stderr.write(`${line}\n`),
    };
    return await command.run(context);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message} (see 'totpkey ${noun} ${verb} --help')`, 2);
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    // TOTPKEY_DEBUG adds where the error arose: the stack's frames only, after the one-line message.
    // The stack's own first lines (the message again, maybe several lines of a library's message that
    // quote input) are left out, so debugging output holds nothing the normal message does not.
    if (io.env.TOTPKEY_DEBUG && error instanceof Error && error.stack) {
      const frames = error.stack.split("\n").filter((line) => /^\s+at /.test(line));
      io.stderr.write(`${error.name}\n${frames.join("\n")}\n`);
    }
    return fail(message, 1);
  }
}
