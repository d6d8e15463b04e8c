// The noun-verb command framework: option parsing, help with examples, one-line errors, and the
// I/O conventions (data on stdout, prompts and progress on stderr).
import type { Session } from "../device.js";

export interface OptionSpec {
  /** Long name without dashes: "digits". */
  name: string;
  short?: string;
  /** Placeholder when the option takes a value: "N". */
  value?: string;
  description: string;
  /** The option may be given several times (values collected). */
  repeat?: boolean;
}

export interface ArgumentSpec {
  name: string;
  optional?: boolean;
  variadic?: boolean;
  description: string;
}

export interface Parsed {
  args: string[];
  options: Map<string, string[]>;
  flag(name: string): boolean;
  value(name: string): string | undefined;
}

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Reads a line; `hidden` for secrets and passwords (no echo on a terminal). */
  readLine(prompt: string, hidden: boolean): Promise<string | null>;
  readFile(path: string): Promise<Uint8Array>;
  /** Unix time in seconds (fractional allowed). */
  now(): number;
  /** Waits (polling the token for a press). */
  sleep(ms: number): Promise<void>;
  env: Record<string, string | undefined>;
}

export interface Context {
  io: Io;
  parsed: Parsed;
  json: boolean;
  force: boolean;
  /** Opens the token (chosen by --device or auto-detected) and unlocks it with --password. */
  openSession(): Promise<Session>;
  /** Asks on stderr unless --force; false when declined or no input. */
  confirm(question: string): Promise<boolean>;
  print(line: string): void;
  printJson(value: unknown): void;
  note(line: string): void;
}

export interface Command {
  noun: string;
  verb: string;
  summary: string;
  args: ArgumentSpec[];
  options: OptionSpec[];
  examples: string[];
  /** Extra paragraphs for --help. */
  details?: string;
  run(context: Context): Promise<number>;
}

/**
 * Warns on stderr that `what` was given as a command-line argument: every local user can read the
 * arguments of a running process (/proc/PID/cmdline, ps) and the shell keeps them in its history.
 */
export function warnSecretArgument(context: Pick<Context, "note">, what: string, instead: string): void {
  context.note(`warning: ${what} on the command line can be read by other users of this computer (ps, /proc) and stays in your shell history; ${instead}`);
}

/** Bad command-line usage: the message is printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: "device", short: "d", value: "DEVICE", description: "which token: sim[:SOCKET], pcsc[:READER], hid[:PATH] (default: the only one found)" },
  { name: "password", short: "p", value: "PASSWORD", description: "the access password (better: TOTPKEY_PASSWORD or the hidden prompt)" },
  { name: "json", description: "print data as JSON" },
  { name: "force", short: "f", description: "do not ask for confirmation" },
  { name: "help", short: "h", description: "show help" },
];

export function parseArguments(argv: string[], specs: OptionSpec[]): Parsed {
  const byLong = new Map(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  const options = new Map<string, string[]>();
  const args: string[] = [];
  const add = (spec: OptionSpec, value: string) => {
    const values = options.get(spec.name) ?? [];
    if (values.length > 0 && !spec.repeat) throw new UsageError(`option --${spec.name} given twice`);
    values.push(value);
    options.set(spec.name, values);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inlineValue: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inlineValue = eq < 0 ? undefined : arg.slice(eq + 1);
      spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
    } else if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
      const letters = arg.slice(1);
      // Clustered flags (-fv) or a short option with its value attached (-d sim).
      for (let j = 0; j < letters.length; j++) {
        const shortSpec = byShort.get(letters[j]);
        if (!shortSpec) throw new UsageError(`unknown option -${letters[j]}`);
        if (shortSpec.value) {
          const rest = letters.slice(j + 1);
          if (rest) add(shortSpec, rest);
          else if (i + 1 < argv.length) add(shortSpec, argv[++i]);
          else throw new UsageError(`option -${letters[j]} needs a value (${shortSpec.value})`);
          break;
        }
        add(shortSpec, "");
      }
      continue;
    } else {
      args.push(arg);
      continue;
    }
    if (spec.value) {
      if (inlineValue !== undefined) add(spec, inlineValue);
      else if (i + 1 < argv.length) add(spec, argv[++i]);
      else throw new UsageError(`option --${spec.name} needs a value (${spec.value})`);
    } else {
      if (inlineValue !== undefined) throw new UsageError(`option --${spec.name} takes no value`);
      add(spec, "");
    }
  }
  return {
    args,
    options,
    flag: (name) => options.has(name),
    value: (name) => options.get(name)?.at(-1),
  };
}

function optionLine(spec: OptionSpec): string {
  const names = (spec.short ? `-${spec.short}, ` : "    ") + `--${spec.name}` + (spec.value ? ` ${spec.value}` : "");
  return `  ${names.padEnd(28)} ${spec.description}`;
}

export function commandUsage(command: Command): string {
  const args = command.args.map((arg) => {
    const text = arg.variadic ? `${arg.name}...` : arg.name;
    return arg.optional ? `[${text}]` : text;
  });
  return `totpkey ${command.noun} ${command.verb}${command.options.length ? " [OPTIONS]" : ""} ${args.join(" ")}`.trimEnd();
}

export function commandHelp(command: Command): string {
  const lines = [`usage: ${commandUsage(command)}`, "", command.summary];
  if (command.details) lines.push("", command.details);
  if (command.args.length) {
    lines.push("", "arguments:");
    for (const arg of command.args) lines.push(`  ${arg.name.padEnd(28)} ${arg.description}`);
  }
  if (command.options.length) {
    lines.push("", "options:");
    for (const spec of command.options) lines.push(optionLine(spec));
  }
  lines.push("", "global options:");
  for (const spec of GLOBAL_OPTIONS) lines.push(optionLine(spec));
  lines.push("", "examples:");
  for (const example of command.examples) lines.push(`  ${example}`);
  return lines.join("\n") + "\n";
}

export function nounHelp(noun: string, commands: Command[]): string {
  const lines = [`usage: totpkey ${noun} COMMAND [OPTIONS] [ARGS]`, "", "commands:"];
  for (const command of commands) lines.push(`  ${command.verb.padEnd(10)} ${command.summary}`);
  lines.push("", `Run 'totpkey ${noun} COMMAND --help' for details and examples.`);
  return lines.join("\n") + "\n";
}

/** Checks the positional argument count against the command's specification. */
export function checkArgumentCount(command: Command, args: string[]): void {
  const required = command.args.filter((arg) => !arg.optional && !arg.variadic).length;
  const variadic = command.args.some((arg) => arg.variadic);
  const max = variadic ? Infinity : command.args.length;
  const minimum = required + (command.args.some((arg) => arg.variadic && !arg.optional) ? 1 : 0);
  if (args.length < minimum) {
    const missing = command.args[args.length]?.name ?? "an argument";
    throw new UsageError(`missing ${missing}`);
  }
  // Not quoted: a stray argument may be a secret or password typed in the wrong place.
  if (args.length > max) throw new UsageError(`unexpected argument ${max + 1} (this command takes at most ${max})`);
}
