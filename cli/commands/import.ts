// accounts import FILE...: every supported export format, a progress bar, and a summary of what was
// added, skipped or refused, and why.
import { Command, Context } from "./framework.js";
import { readImportSources, ImportSource } from "../parse/import.js";
import { storedName, SLOT_COUNT, Credential } from "../parse/credential.js";
import { ApduError } from "../apdu.js";
import { DeviceError } from "../device.js";
import { listAccounts, needsExtension, writeCredential } from "./accounts.js";

type Outcome = { name: string; status: "added" | "skipped" | "refused"; reason?: string; slot?: number };

const BAR_WIDTH = 30;

/** A progress bar on stderr, redrawn in place on a terminal; silent otherwise (logs stay clean). */
export function progressBar(context: Context, total: number): { update(done: number, label: string): void; end(): void } {
  const tty = context.io.stderr.isTTY === true;
  return {
    update(done, label) {
      if (!tty || total === 0) return;
      const filled = Math.round((done / total) * BAR_WIDTH);
      const text = label.length > 30 ? `${label.slice(0, 29)}…` : label;
      context.io.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${done}/${total} ${text}\x1b[K`);
    },
    end() {
      if (tty && total > 0) context.io.stderr.write("\r\x1b[K");
    },
  };
}

const importCommand: Command = {
  noun: "accounts",
  verb: "import",
  summary: "Import accounts from files: otpauth URI lists, CSV, Google Authenticator exports, Aegis and 2FAS JSON, QR images.",
  details: [
    "Formats are detected from the content:",
    "  - text with one otpauth:// or otpauth-migration:// URI per line ('#' starts a comment)",
    "  - CSV with a header row naming columns from: name,secret,issuer,algorithm,digits,period,type,counter",
    "    (name and secret required; name may be 'issuer:account')",
    "  - Google Authenticator 'Transfer accounts' QR codes (PNG/JPEG screenshots; give every batch)",
    "  - Aegis plaintext JSON export, 2FAS plaintext backup (.2fas); encrypted exports are refused",
    "  - a PNG or JPEG of any otpauth QR code",
    "Accounts whose name is already on the token are skipped unless --overwrite. Nothing is written",
    "for entries that fail to parse; the summary says why for each. Exit status 1 when any entry was refused.",
  ].join("\n"),
  args: [{ name: "FILE", variadic: true, description: "files to read ('-' reads standard input)" }],
  options: [
    { name: "dry-run", short: "n", description: "parse and report (against the token when one is found), write nothing" },
    { name: "overwrite", description: "replace accounts with the same name" },
  ],
  examples: [
    "totpkey accounts import accounts.txt",
    "totpkey accounts import ga-export-1.png ga-export-2.png",
    "totpkey accounts import aegis-export-plain.json --dry-run",
    "totpkey accounts import 2fas-backup.2fas --overwrite --json",
    "totpkey accounts import secrets.csv",
  ],
  async run(context) {
    const sources: ImportSource[] = [];
    for (const path of context.parsed.args) {
      sources.push({ name: path === "-" ? "stdin" : path, bytes: await context.io.readFile(path) });
    }
    const read = readImportSources(sources);
    for (const warning of read.warnings) context.note(`warning: ${warning}`);
    // One outcome per entry, in input order; entries to write are filled in as they are written.
    const outcomes: Outcome[] = [];
    const pending: { name: string; credential: Credential; index: number }[] = [];
    const seen = new Set<string>();
    for (const entry of read.entries) {
      if ("error" in entry) {
        outcomes.push({ name: entry.label, status: "refused", reason: entry.error });
        continue;
      }
      const name = storedName(entry.credential);
      if (seen.has(name)) {
        outcomes.push({ name, status: "skipped", reason: "appears twice in the import" });
        continue;
      }
      seen.add(name);
      pending.push({ name, credential: entry.credential, index: outcomes.length });
      outcomes.push({ name, status: "added" });
    }
    const dryRun = context.parsed.flag("dry-run");
    const overwrite = context.parsed.flag("overwrite");
    // A dry run still reads the token when one is there, to report what would be skipped.
    let session = null;
    if (!dryRun) session = await context.openSession();
    else {
      try {
        session = await context.openSession();
      } catch (error) {
        context.note(`no token read (${(error as Error).message}); checked the files only`);
      }
    }
    try {
      const existing = session ? await listAccounts(session) : [];
      const existingNames = new Set(existing.map((entry) => entry.name));
      const usedSlots = new Set(existing.flatMap((entry) => (entry.slot === undefined ? [] : [entry.slot])));
      let free = SLOT_COUNT - existing.length;
      const bar = progressBar(context, pending.length);
      let done = 0;
      for (const { name, credential, index } of pending) {
        const record = (outcome: Outcome) => { outcomes[index] = outcome; };
        bar.update(done, name);
        done++;
        if (existingNames.has(name) && !overwrite) {
          record({ name, status: "skipped", reason: "already on the token (--overwrite replaces it)" });
          continue;
        }
        if (dryRun) {
          record({ name, status: "added", reason: "dry run: not written" });
          continue;
        }
        if (needsExtension(credential) && !session!.extension) {
          record({ name, status: "refused", reason: `${credential.digits} digits need the totpkey applet` });
          continue;
        }
        try {
          if (existingNames.has(name)) {
            const old = existing.find((item) => item.name === name);
            await session!.oath.delete(name);
            if (old?.slot !== undefined) usedSlots.delete(old.slot);
            free++;
          }
          if (free <= 0) {
            record({ name, status: "refused", reason: "no free slot left on the token" });
            continue;
          }
          const slot = await writeCredential(session!, credential, undefined, usedSlots);
          free--;
          record({ name, status: "added", slot });
        } catch (error) {
          if (error instanceof ApduError || error instanceof DeviceError) {
            record({ name, status: "refused", reason: error.message });
          } else throw error;
        }
      }
      bar.update(done, "");
      bar.end();
    } finally {
      await session?.close();
    }
    const count = (status: Outcome["status"]) => outcomes.filter((outcome) => outcome.status === status).length;
    const refused = count("refused");
    if (context.json) {
      context.printJson({ formats: read.formats, warnings: read.warnings, dryRun, accounts: outcomes });
    } else {
      for (const outcome of outcomes) {
        const status = dryRun && outcome.status === "added" ? "would add" : outcome.status;
        context.print(`${status.padEnd(9)} ${outcome.name}${outcome.status !== "added" && outcome.reason ? `: ${outcome.reason}` : ""}`);
      }
    }
    context.note(`${dryRun ? "would add" : "added"} ${count("added")}, skipped ${count("skipped")}, refused ${refused} (${read.formats.join(", ") || "nothing read"})`);
    return refused > 0 ? 1 : 0;
  },
};

export const importCommands: Command[] = [importCommand];
