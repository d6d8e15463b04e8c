// settings list | get | set: keyboard layout, typing mode, what follows a code, display timeout.
import { Command, UsageError } from "./framework.js";
import { requireExtension } from "../device.js";
import { SETTING_IDS, SettingName } from "../extension.js";
import { ParseError } from "../parse/errors.js";

interface SettingSpec {
  description: string;
  /** Named values in the module's numbering; absent for plain integers. */
  names?: string[];
  min?: number;
  max?: number;
  unit?: string;
  /** What the token uses while the setting was never written (assembly/ui). */
  defaultValue: number;
}

// Numbering as in assembly/ui/layouts.ts and assembly/ui/typing.ts.
export const SETTINGS: Record<SettingName, SettingSpec> = {
  layout: { description: "the computer's keyboard layout, for top-row typing", names: ["us", "uk", "de", "fr", "be", "ch", "dvorak"], defaultValue: 0 },
  typing: { description: "keypad (works on every layout, needs NumLock) or top-row digits", names: ["keypad", "top-row"], defaultValue: 0 },
  "after-code": { description: "what the token types after a code", names: ["none", "enter", "tab"], defaultValue: 0 },
  "display-timeout": { description: "seconds before the display turns off", min: 1, max: 3600, unit: "s", defaultValue: 30 },
  "typing-pace": { description: "milliseconds between two keyboard reports", min: 1, max: 1000, unit: "ms", defaultValue: 10 },
};

function settingName(text: string): SettingName {
  if (text in SETTINGS) return text as SettingName;
  throw new UsageError(`unknown setting '${text}' (settings: ${Object.keys(SETTINGS).join(", ")})`);
}

function formatValue(name: SettingName, stored: number | null): string {
  const spec = SETTINGS[name];
  const value = stored ?? spec.defaultValue;
  if (spec.names) return spec.names[value] ?? `unknown (${value})`;
  return `${value}${spec.unit ? ` ${spec.unit}` : ""}`;
}

function parseValue(name: SettingName, text: string): number {
  const spec = SETTINGS[name];
  if (spec.names) {
    const index = spec.names.indexOf(text.toLowerCase());
    if (index < 0) throw new ParseError(`${name}: '${text}' is not one of ${spec.names.join(", ")}`);
    return index;
  }
  if (!/^\d+$/.test(text)) throw new ParseError(`${name}: '${text}' is not a whole number`);
  const value = Number(text);
  if (value < spec.min! || value > spec.max!) throw new ParseError(`${name}: ${value} is out of range (${spec.min}-${spec.max})`);
  return value;
}

const settingsList: Command = {
  noun: "settings",
  verb: "list",
  summary: "Show every setting and its value.",
  args: [],
  options: [],
  examples: ["totpkey settings list", "totpkey settings list --json"],
  async run(context) {
    const session = await context.openSession();
    try {
      const extension = requireExtension(session, "settings");
      const values: Record<string, string> = {};
      for (const name of Object.keys(SETTINGS) as SettingName[]) values[name] = formatValue(name, await extension.getSetting(SETTING_IDS[name]));
      if (context.json) context.printJson(values);
      else for (const [name, value] of Object.entries(values)) context.print(`${name.padEnd(16)} ${value}`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const settingsGet: Command = {
  noun: "settings",
  verb: "get",
  summary: "Show one setting.",
  args: [{ name: "NAME", description: Object.keys(SETTINGS).join(", ") }],
  options: [],
  examples: ["totpkey settings get layout"],
  async run(context) {
    const name = settingName(context.parsed.args[0]);
    const session = await context.openSession();
    try {
      const value = formatValue(name, await requireExtension(session, "settings").getSetting(SETTING_IDS[name]));
      if (context.json) context.printJson({ [name]: value });
      else context.print(value);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const settingsSet: Command = {
  noun: "settings",
  verb: "set",
  summary: "Change a setting.",
  details: Object.entries(SETTINGS).map(([name, spec]) =>
    `  ${name.padEnd(16)} ${spec.description}: ${spec.names ? spec.names.join(" | ") : `${spec.min}-${spec.max} ${spec.unit}`}`).join("\n"),
  args: [
    { name: "NAME", description: Object.keys(SETTINGS).join(", ") },
    { name: "VALUE", description: "see the list above" },
  ],
  options: [],
  examples: ["totpkey settings set layout de", "totpkey settings set typing top-row", "totpkey settings set after-code enter"],
  async run(context) {
    const name = settingName(context.parsed.args[0]);
    const value = parseValue(name, context.parsed.args[1]);
    const session = await context.openSession();
    try {
      const extension = requireExtension(session, "settings");
      await extension.setSetting(SETTING_IDS[name], value);
      if (context.json) context.printJson({ [name]: formatValue(name, value) });
      context.note(`${name} set to ${formatValue(name, value)}`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

export const settingsCommands: Command[] = [settingsList, settingsGet, settingsSet];
