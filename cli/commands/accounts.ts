// accounts add | list | code | delete | rename | move (import lives in import.ts).
import { Command, Context, UsageError, warnSecretArgument } from "./framework.js";
import { decodeBase32 } from "../parse/base32.js";
import { parseOtpauthUri } from "../parse/otpauth.js";
import { readQrText } from "../parse/qr.js";
import {
  Credential, OtpType, checkCounter, checkDigits, checkPeriod, makeCredential, parseAlgorithm, parseIntegerField,
  splitStoredName, storedName, utf8Bytes, NAME_MAX_BYTES, SLOT_COUNT, YKOATH_DIGITS_MAX, YKOATH_DIGITS_MIN,
} from "../parse/credential.js";
import { ParseError } from "../parse/errors.js";
import { DeviceError, Session, filterCredentials, findCredential, requireExtension } from "../device.js";
import type { CodeResult, ListedCredential } from "../oath.js";
import type { SlotEntry } from "../extension.js";

export function parseSlot(text: string): number {
  const slot = parseIntegerField(text, "slot");
  if (slot < 0 || slot >= SLOT_COUNT) throw new ParseError(`slot ${slot} is out of range (0-${SLOT_COUNT - 1})`);
  return slot;
}

/** Splits "issuer:account" as typed on the command line. */
function splitName(name: string): { issuer: string; account: string } {
  const colon = name.indexOf(":");
  return colon < 0 ? { issuer: "", account: name } : { issuer: name.slice(0, colon), account: name.slice(colon + 1) };
}

/** Whether a credential needs the extension applet (YKOATH's PUT cannot carry it). */
export function needsExtension(credential: Credential): boolean {
  return credential.digits < YKOATH_DIGITS_MIN || credential.digits > YKOATH_DIGITS_MAX;
}

/**
 * Writes one credential: into `slot` through the extension applet, or with YKOATH PUT (the token
 * picks the first free slot). Digits outside 6-8 always go through the extension.
 */
export async function writeCredential(session: Session, credential: Credential, slot: number | undefined, usedSlots?: Set<number>): Promise<number | undefined> {
  // A caller tracking slots (import) writes every credential by slot, so its tracking stays exact.
  const bySlot = slot !== undefined || needsExtension(credential) || (usedSlots !== undefined && session.extension !== null);
  if (!bySlot) {
    await session.oath.put(credential);
    return undefined;
  }
  const extension = requireExtension(session, needsExtension(credential) ? `${credential.digits} digits` : "--slot");
  let target = slot;
  if (target === undefined) {
    const used = usedSlots ?? new Set((await extension.listSlots()).map((entry) => entry.slot));
    target = [...Array(SLOT_COUNT).keys()].find((candidate) => !used.has(candidate));
    if (target === undefined) throw new DeviceError("no free slot on the token");
  }
  await extension.putSlot(target, credential);
  usedSlots?.add(target);
  return target;
}

/** Every credential with as much detail as the token gives: slots and digits need the extension. */
export async function listAccounts(session: Session): Promise<(ListedCredential & Partial<SlotEntry>)[]> {
  if (session.extension) {
    const slots = await session.extension.listSlots();
    return slots.map((entry) => ({ ...entry }));
  }
  return session.oath.list();
}

const add: Command = {
  noun: "accounts",
  verb: "add",
  summary: "Add an account: a name and a base32 secret (prompted, hidden, when not given), an otpauth URI or a QR image.",
  args: [
    { name: "NAME", optional: true, description: "'issuer:account' or 'account' (not with --uri or --qr)" },
    { name: "SECRET", optional: true, description: "the base32 secret; better left out: prompted with hidden input (or read from standard input)" },
  ],
  options: [
    { name: "issuer", short: "i", value: "ISSUER", description: "the issuer (or write NAME as issuer:account)" },
    { name: "uri", short: "u", value: "URI", description: "an otpauth://totp/... or otpauth://hotp/... URI (it holds the secret: prefer --qr or 'accounts import FILE')" },
    { name: "qr", value: "IMAGE", description: "a PNG or JPEG screenshot or photo of the QR code" },
    { name: "slot", short: "s", value: "N", description: "the slot to use, 0-99 (default: the first free one)" },
    { name: "algorithm", short: "a", value: "ALG", description: "SHA1 (default), SHA256 or SHA512" },
    { name: "digits", value: "N", description: "code length 4-10 (default 6; 6-8 work with YKOATH clients too)" },
    { name: "period", value: "SECONDS", description: "TOTP period 1-255 (default 30)" },
    { name: "hotp", description: "counter-based (HOTP) instead of time-based" },
    { name: "counter", short: "c", value: "N", description: "HOTP initial counter (default 0)" },
    { name: "touch", short: "t", description: "require a press of OK on the token for each code" },
  ],
  examples: [
    "totpkey accounts add GitHub:octocat                 # prompts for the secret",
    "totpkey accounts add Example:alice --digits 8 --period 60 < secret.txt   # the secret from a file",
    "totpkey accounts add --qr ~/Pictures/enrol.png --touch --slot 7",
    "totpkey accounts add bank --hotp --counter 5                # prompts for the secret",
  ],
  async run(context) {
    const { parsed, io } = context;
    const [nameArg, secretArg] = parsed.args;
    let credential: Credential;
    const fromUri = parsed.value("uri");
    const fromQr = parsed.value("qr");
    if (fromUri !== undefined) warnSecretArgument(context, "--uri (its secret=)", "use --qr IMAGE or 'totpkey accounts import FILE'");
    if (secretArg !== undefined) warnSecretArgument(context, "the SECRET argument", "leave it out to type it at a hidden prompt");
    if (fromUri !== undefined || fromQr !== undefined) {
      if (fromUri !== undefined && fromQr !== undefined) throw new UsageError("give --uri or --qr, not both");
      if (nameArg !== undefined) throw new UsageError("NAME and SECRET come from the URI; do not give them with --uri or --qr");
      for (const option of ["issuer", "algorithm", "digits", "period", "hotp", "counter"]) {
        if (parsed.flag(option)) throw new UsageError(`--${option} comes from the URI; it cannot be combined with --uri or --qr`);
      }
      const uri = fromUri ?? readQrText(await io.readFile(fromQr!), fromQr!);
      if (/^otpauth-migration:/i.test(uri.trim())) {
        throw new ParseError("this QR code is a Google Authenticator export; use 'totpkey accounts import IMAGE'");
      }
      credential = { ...parseOtpauthUri(uri), touch: parsed.flag("touch") };
    } else {
      if (nameArg === undefined) throw new UsageError("missing NAME (or give --uri or --qr)");
      const split = splitName(nameArg);
      const issuer = parsed.value("issuer") ?? split.issuer;
      if (parsed.value("issuer") !== undefined && split.issuer) throw new UsageError("give the issuer in NAME or with --issuer, not both");
      const type: OtpType = parsed.flag("hotp") ? "hotp" : "totp";
      if (type === "totp" && parsed.flag("counter")) throw new UsageError("--counter needs --hotp");
      if (type === "hotp" && parsed.flag("period")) throw new UsageError("--period is for TOTP; HOTP has a counter");
      let secretText = secretArg;
      if (secretText === undefined) {
        const answer = await io.readLine("Secret (base32, hidden): ", true);
        if (answer === null || answer.trim() === "") throw new ParseError("no secret given");
        secretText = answer;
      }
      credential = makeCredential({
        type, issuer, account: split.account, secret: decodeBase32(secretText),
        algorithm: parsed.value("algorithm") ? parseAlgorithm(parsed.value("algorithm")!) : "SHA1",
        digits: parsed.value("digits") ? checkDigits(parseIntegerField(parsed.value("digits")!, "digits")) : 6,
        periodSeconds: parsed.value("period") ? checkPeriod(parseIntegerField(parsed.value("period")!, "period")) : 30,
        counter: parsed.value("counter") ? checkCounter(parseIntegerField(parsed.value("counter")!, "counter")) : 0,
        touch: parsed.flag("touch"),
      });
    }
    const slot = parsed.value("slot") !== undefined ? parseSlot(parsed.value("slot")!) : undefined;
    const name = storedName(credential);
    const session = await context.openSession();
    try {
      const existing = await listAccounts(session);
      const sameName = existing.find((entry) => entry.name === name);
      const slotTaken = slot === undefined ? undefined : existing.find((entry) => entry.slot === slot);
      if (sameName || slotTaken) {
        const what = sameName ? `an account named '${name}' already exists` : `slot ${slot} holds '${slotTaken!.name}'`;
        if (!(await context.confirm(`${what}; overwrite it?`))) {
          context.note("nothing written");
          return 1;
        }
        // Overwrite in place: free the old entry first so the name and slot are both available.
        if (sameName && (slot === undefined || sameName.slot !== slot)) await session.oath.delete(sameName.name);
        if (slotTaken && slotTaken.name !== name) await session.oath.delete(slotTaken.name);
      }
      const usedSlot = await writeCredential(session, credential, slot);
      if (context.json) context.printJson({ name, slot: usedSlot ?? null, type: credential.type });
      context.note(`added '${name}'${usedSlot !== undefined ? ` in slot ${usedSlot}` : ""}`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const list: Command = {
  noun: "accounts",
  verb: "list",
  summary: "List the accounts on the token: slot, name, type, algorithm, digits, period. Never secrets.",
  args: [{ name: "QUERY", optional: true, description: "show only names containing QUERY (case-insensitive)" }],
  options: [],
  examples: ["totpkey accounts list", "totpkey accounts list github", "totpkey accounts list --json | jq '.[].name'"],
  async run(context) {
    const session = await context.openSession();
    try {
      const accounts = filterCredentials(await listAccounts(session), context.parsed.args[0]);
      const rows = accounts.map((entry) => ({
        slot: entry.slot ?? null, name: entry.name, issuer: entry.issuer, account: entry.account, type: entry.type,
        algorithm: entry.algorithm, digits: entry.digits ?? null,
        periodSeconds: entry.type === "totp" ? entry.periodSeconds : null, touch: entry.touch ?? null,
      }));
      if (context.json) {
        context.printJson(rows);
        return 0;
      }
      if (rows.length === 0) {
        context.note("no accounts on the token");
        return 0;
      }
      const table = [["SLOT", "NAME", "TYPE", "ALGORITHM", "DIGITS", "PERIOD", "TOUCH"]];
      for (const row of rows) {
        table.push([
          row.slot === null ? "-" : String(row.slot), row.name, row.type.toUpperCase(), row.algorithm,
          row.digits === null ? "-" : String(row.digits), row.periodSeconds === null ? "-" : `${row.periodSeconds}s`,
          row.touch === null ? "-" : row.touch ? "yes" : "no",
        ]);
      }
      printTable(context, table);
      return 0;
    } finally {
      await session.close();
    }
  },
};

export function printTable(context: Context, rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  for (const row of rows) {
    context.print(row.map((cell, column) => (column === row.length - 1 ? cell : cell + " ".repeat(widths[column] - [...cell].length))).join("  "));
  }
}

const code: Command = {
  noun: "accounts",
  verb: "code",
  summary: "Show current codes, computed by the token at this computer's time.",
  details: "With a QUERY matching one account, that account's code is computed even when it needs a press\non the token (you are asked on stderr) or is HOTP (its counter advances). With several matches,\nHOTP and touch accounts are listed without a code.",
  args: [{ name: "QUERY", optional: true, description: "only names containing QUERY (case-insensitive); an exact name wins" }],
  options: [],
  examples: ["totpkey accounts code", "totpkey accounts code github", "totpkey accounts code 'ACME:bob' --json"],
  async run(context) {
    const query = context.parsed.args[0];
    const session = await context.openSession();
    try {
      const listed = await session.oath.list();
      const now = context.io.now();
      let chosen: ListedCredential[];
      if (query !== undefined) {
        const exact = listed.find((entry) => entry.name === query);
        chosen = exact ? [exact] : filterCredentials(listed, query);
        if (chosen.length === 0) throw new DeviceError(`no account matches '${query}'`);
      } else chosen = listed;
      const codes = new Map<string, CodeResult>();
      if (chosen.length === 1) {
        const [only] = chosen;
        const all = only.type === "totp" ? await session.oath.calculateAll(now, listed) : new Map<string, CodeResult>();
        const fromAll = all.get(only.name);
        if (fromAll?.kind === "code") codes.set(only.name, fromAll);
        else {
          if (fromAll?.kind === "touch" || (only.type === "hotp" && (await isTouch(session, only.name)))) {
            context.note("touch the token: press OK to allow the code");
          }
          codes.set(only.name, await session.oath.calculate(only, now));
        }
      } else if (chosen.length > 0) {
        const all = await session.oath.calculateAll(now, listed);
        for (const entry of chosen) codes.set(entry.name, all.get(entry.name) ?? { kind: "hotp" });
      }
      const rows = chosen.map((entry) => {
        const result = codes.get(entry.name)!;
        return {
          name: entry.name, type: entry.type,
          code: result.kind === "code" ? result.code : null,
          touchRequired: result.kind === "touch",
          validFromSeconds: result.kind === "code" ? result.validFromSeconds ?? null : null,
          validToSeconds: result.kind === "code" ? result.validToSeconds ?? null : null,
        };
      });
      if (context.json) context.printJson(rows);
      else if (rows.length === 0) context.note("no accounts on the token");
      else {
        const table = rows.map((row) => [row.name, row.code ?? (row.touchRequired ? "[touch required]" : "[HOTP]")]);
        const width = Math.max(...table.map((row) => [...row[0]].length));
        for (const [name, value] of table) context.print(`${name}${" ".repeat(width - [...name].length)}  ${value}`);
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};

async function isTouch(session: Session, name: string): Promise<boolean> {
  if (!session.extension) return false;
  const slots = await session.extension.listSlots();
  return slots.find((entry) => entry.name === name)?.touch ?? false;
}

const remove: Command = {
  noun: "accounts",
  verb: "delete",
  summary: "Delete an account (asks first unless --force).",
  args: [{ name: "QUERY", description: "the account's name, or a unique part of it" }],
  options: [],
  examples: ["totpkey accounts delete 'GitHub:octocat'", "totpkey accounts delete octo -f"],
  async run(context) {
    const session = await context.openSession();
    try {
      const target = findCredential(await session.oath.list(), context.parsed.args[0]);
      if (!(await context.confirm(`delete '${target.name}'? This cannot be undone`))) {
        context.note("nothing deleted");
        return 1;
      }
      await session.oath.delete(target.name);
      if (context.json) context.printJson({ deleted: target.name });
      context.note(`deleted '${target.name}'`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const rename: Command = {
  noun: "accounts",
  verb: "rename",
  summary: "Rename an account; its period prefix is kept.",
  args: [
    { name: "QUERY", description: "the account's name, or a unique part of it" },
    { name: "NEW_NAME", description: "'issuer:account' or 'account'" },
  ],
  options: [],
  examples: ["totpkey accounts rename octocat 'GitHub:octocat-work'", "totpkey accounts rename 'old' 'new' -f"],
  async run(context) {
    const [query, newNameArg] = context.parsed.args;
    const session = await context.openSession();
    try {
      const listed = await session.oath.list();
      const target = findCredential(listed, query);
      const split = splitName(newNameArg);
      if (split.account === "" && split.issuer === "") throw new ParseError("the new name is empty");
      const newName = storedName({ type: target.type, periodSeconds: target.periodSeconds, ...split });
      if (utf8Bytes(newName) > NAME_MAX_BYTES) {
        throw new ParseError(`the name '${newName}' is ${utf8Bytes(newName)} bytes in UTF-8; the token holds at most ${NAME_MAX_BYTES}`);
      }
      if (newName === target.name) {
        context.note("the name is unchanged");
        return 0;
      }
      if (listed.some((entry) => entry.name === newName)) throw new DeviceError(`an account named '${newName}' already exists`);
      if (!(await context.confirm(`rename '${target.name}' to '${newName}'?`))) {
        context.note("nothing renamed");
        return 1;
      }
      await session.oath.rename(target.name, newName);
      if (context.json) context.printJson({ from: target.name, to: newName });
      context.note(`renamed '${target.name}' to '${newName}'`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const move: Command = {
  noun: "accounts",
  verb: "move",
  summary: "Move an account to another slot (the order on the token's display).",
  args: [
    { name: "QUERY", description: "the account's name, or a unique part of it" },
    { name: "SLOT", description: "the free slot to move it to, 0-99" },
  ],
  options: [],
  examples: ["totpkey accounts move github 0", "totpkey accounts move 'Bank:me' 99 --json"],
  async run(context) {
    const [query, slotText] = context.parsed.args;
    const toSlot = parseSlot(slotText);
    const session = await context.openSession();
    try {
      const extension = requireExtension(session, "moving accounts");
      const slots = await extension.listSlots();
      const target = findCredential(slots.map((entry) => ({ ...entry })), query) as unknown as SlotEntry;
      const occupant = slots.find((entry) => entry.slot === toSlot);
      if (occupant && occupant.name !== target.name) throw new DeviceError(`slot ${toSlot} holds '${occupant.name}'; move or delete it first`);
      if (target.slot !== toSlot) await extension.move(target.slot, toSlot);
      if (context.json) context.printJson({ name: target.name, from: target.slot, to: toSlot });
      context.note(`moved '${target.name}' from slot ${target.slot} to slot ${toSlot}`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

export const accountCommands: Command[] = [add, list, code, remove, rename, move];
export { splitStoredName };
