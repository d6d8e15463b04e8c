// Secrets and passwords stay out of what the CLI prints: error messages (and TOTPKEY_DEBUG's stack)
// never quote a secret, help never shows a password on the command line, passwords and secrets
// given as arguments draw a warning, and the --help layout keeps every summary in one column.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import QRCode from "qrcode";
import { runCli, newToken } from "./fixtures-cli/harness.js";
import { readImportSources } from "../cli/parse/import.js";
import { decodeBase32 } from "../cli/parse/base32.js";
import { parseCsv } from "../cli/parse/csv.js";
import { parseOtpauthUri } from "../cli/parse/otpauth.js";
import { COMMANDS } from "../cli/main.js";

// Fixed secrets (upper-case base32 with digits): none of their 4-character runs occurs in English.
const SECRET = "K7Q2ZX4MW5RT3VN6";
const OTHER_SECRET = "P3XJ7QW2MZ5KV4TY";

/** The 4-character runs of `secret` that `text` contains (any case): none may appear. */
function leakedRuns(text: string, secret: string): string[] {
  const runs: string[] = [];
  for (let i = 0; i + 4 <= secret.length; i++) {
    const run = secret.slice(i, i + 4);
    if (text.toUpperCase().includes(run)) runs.push(run);
  }
  return runs;
}

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return `${(error as Error).message}\n${(error as Error).stack ?? ""}`;
  }
  throw new Error("expected an error");
}

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));

describe("error messages never quote secrets", () => {
  const malformedExports: [string, string][] = [
    // A comma missing right after the secret: Node 20's JSON.parse message quotes the text there.
    ["aegis.json", `{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[{"type":"totp","name":"a","info":{"secret":"${SECRET}" "algo":"SHA1"}}]}}`],
    // A bad token inside the secret's string (an unescaped control character).
    ["2fas.json", `{"schemaVersion":4,"services":[{"name":"x","secret":"${SECRET.slice(0, 8)}\u0001${SECRET.slice(8)}","otp":{}}]}`],
    // The text ends in the middle of the secret.
    ["cut.json", `{"schemaVersion":4,"services":[{"name":"x","secret":"${SECRET}`],
    // An unexpected token just after it: Node quotes a window of the input around it.
    ["token.json", `{"schemaVersion":4,"services":[{"name":"x","secret":"${SECRET}"}, x]}`],
  ];
  for (const [name, text] of malformedExports) {
    it(`malformed JSON (${name}): the position only, no run of the secret`, async () => {
      const message = errorOf(() => readImportSources([{ name, bytes: bytesOf(text) }]));
      expect(leakedRuns(message, SECRET)).toEqual([]);
      expect(message).toMatch(new RegExp(`^${name.replace(".", "\\.")}: invalid JSON (at line 1, column \\d+|\\(the text ends early\\))\\n`));
      // Through the whole CLI with TOTPKEY_DEBUG: stderr (message and stack) holds no run either.
      const result = await runCli(newToken(), ["accounts", "import", "--dry-run", name], { files: { [name]: text }, env: { TOTPKEY_DEBUG: "1" } });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/invalid JSON/);
      expect(result.stderr).toMatch(/\n\s+at /); // the stack frames are there
      expect(leakedRuns(result.stderr + result.stdout, SECRET)).toEqual([]);
    });
  }

  it("gives the line and column of a JSON error on a later line", () => {
    const text = `{\n  "schemaVersion": 4,\n  "services": [{"secret": "${SECRET}" "name": "x"}]\n}`;
    const message = errorOf(() => readImportSources([{ name: "x.json", bytes: bytesOf(text) }]));
    expect(message).toMatch(/^x\.json: invalid JSON at line 3, column 46\n/);
  });

  it("a QR code holding a bare secret is described by kind and length", async () => {
    const png = new Uint8Array(await QRCode.toBuffer(SECRET, { type: "png", margin: 4, scale: 6 }));
    const message = errorOf(() => readImportSources([{ name: "raw.png", bytes: png }]));
    expect(message).toMatch(/^raw\.png: the QR code holds no otpauth URI \(it holds text of 16 characters\)/);
    expect(leakedRuns(message, SECRET)).toEqual([]);
  });

  it("base32 names the position of a bad character, not the character", () => {
    const message = errorOf(() => decodeBase32(`${SECRET.slice(0, 9)}8${SECRET.slice(10)}`));
    expect(message).toMatch(/^base32: invalid character at position 10 \(base32 uses only A-Z and 2-7\)\n/);
    expect(leakedRuns(message, SECRET)).toEqual([]);
    expect(errorOf(() => decodeBase32("AB!D"))).not.toContain("!");
  });

  it("CSV without a header row, misplaced fields and otpauth URIs without a label quote no secret", () => {
    const headerless = errorOf(() => parseCsv(`${SECRET},alice\n`));
    expect(headerless).toMatch(/^CSV: unknown column a value of 16 characters \(column 1 of the header;/);
    expect(leakedRuns(headerless, SECRET)).toEqual([]);
    const shifted = parseCsv(`name,secret,type,algorithm,digits\nbob,${OTHER_SECRET},${SECRET},sha1,6\ncarl,${OTHER_SECRET},totp,${SECRET},6\ndan,${OTHER_SECRET},totp,sha1,${SECRET}\n`);
    for (const entry of shifted) {
      expect("error" in entry).toBe(true);
      const text = "error" in entry ? entry.error : "";
      expect(text).toMatch(/a value of 16 characters/);
      expect(leakedRuns(text, SECRET)).toEqual([]);
    }
    const unlabelled = readImportSources([{ name: "list.txt", bytes: bytesOf(`otpauth://totp/A:a?secret=${OTHER_SECRET}\notpauth://totp?secret=${SECRET}&digits=x\n`) }]);
    expect(unlabelled.entries[1]).toMatchObject({ label: "line 2" });
    expect(leakedRuns(JSON.stringify(unlabelled.entries[1]), SECRET)).toEqual([]);
    const wrongParameter = errorOf(() => parseOtpauthUri(`otpauth://totp/x?secret=${OTHER_SECRET}&${SECRET}&${SECRET}`));
    expect(wrongParameter).toMatch(/parameter a value of 16 characters appears twice/);
    expect(leakedRuns(wrongParameter, SECRET)).toEqual([]);
  });

  it("a secret or password given in the wrong place on the command line is not echoed", async () => {
    for (const argv of [[SECRET], ["accounts", SECRET], ["accounts", "list", "x", SECRET], ["--new-password", SECRET, "access", "change"]]) {
      const result = await runCli(null, argv);
      expect(result.status, argv.join(" ")).toBe(2);
      expect(leakedRuns(result.stderr + result.stdout, SECRET), argv.join(" ")).toEqual([]);
    }
  });
});

describe("passwords and secrets on the command line", () => {
  it("no help shows a password or a secret as an argument", async () => {
    for (const command of COMMANDS) {
      const help = (await runCli(null, [command.noun, command.verb, "--help"])).stdout;
      const examples = help.slice(help.indexOf("\nexamples:\n"));
      expect(examples, `${command.noun} ${command.verb}`).not.toMatch(/--password |--new-password |(^|\s)-[pn] /m);
      expect(examples, `${command.noun} ${command.verb}`).not.toMatch(/secret=|JBSWY3DP/);
    }
  });

  it("warns on stderr when --password, --new-password, --uri or SECRET is given; TOTPKEY_NEW_PASSWORD sets a password", async () => {
    const sim = newToken();
    const warning = /^warning: (--password|--new-password|--uri \(its secret=\)|the SECRET argument) on the command line can be read by other users/m;
    const added = await runCli(sim, ["accounts", "add", "A:a", SECRET]);
    expect(added.status).toBe(0);
    expect(added.stderr).toMatch(/^warning: the SECRET argument on the command line/);
    const fromUri = await runCli(sim, ["accounts", "add", "--uri", `otpauth://totp/B:b?secret=${SECRET}`]);
    expect(fromUri.stderr).toMatch(/^warning: --uri \(its secret=\) on the command line/);
    const prompted = await runCli(sim, ["accounts", "add", "C:c"], { answers: [SECRET] });
    expect(prompted.status).toBe(0);
    expect(prompted.stderr).not.toMatch(warning);

    const viaEnv = await runCli(sim, ["access", "change"], { env: { TOTPKEY_NEW_PASSWORD: "hunter2" } });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect(viaEnv.stderr).not.toMatch(warning);
    expect(viaEnv.prompts).toEqual([]);
    const withOption = await runCli(sim, ["accounts", "list", "--password", "hunter2"]);
    expect(withOption.status).toBe(0);
    expect(withOption.stderr).toMatch(/^warning: --password on the command line can be read by other users.*TOTPKEY_PASSWORD/m);
    const withEnv = await runCli(sim, ["accounts", "list"], { env: { TOTPKEY_PASSWORD: "hunter2" } });
    expect(withEnv.status).toBe(0);
    expect(withEnv.stderr).toBe("");
    const changed = await runCli(sim, ["access", "change", "--new-password", "x"], { env: { TOTPKEY_PASSWORD: "hunter2" } });
    expect(changed.stderr).toMatch(/^warning: --new-password on the command line/m);
    const prompt = await runCli(sim, ["accounts", "list"], { answers: ["x"] });
    expect(prompt.status).toBe(0);
    expect(prompt.prompts).toEqual([{ text: "Password (hidden): ", hidden: true }]);
  });
});

describe("--help", () => {
  it("puts every summary two columns after the longest command entry", async () => {
    const help = (await runCli(null, ["--help"])).stdout;
    const section = help.slice(help.indexOf("commands:\n") + "commands:\n".length, help.indexOf("\n\nglobal options:"));
    const rows = section.split("\n").map((line) => /^ {2}(\S+ \S+)( +)(\S.*)$/.exec(line));
    expect(rows.length).toBe(5);
    const entryWidths = rows.map((row) => row![1].length);
    const columns = rows.map((row) => 2 + row![1].length + row![2].length);
    expect(new Set(columns).size).toBe(1);
    expect(columns[0]).toBe(2 + Math.max(...entryWidths) + 2);
    expect(section).toMatch(/^ {2}accounts add\|import\|list\|code\|delete\|rename\|move {2}add, import/m);
  });

  it("documents TOTPKEY_DEBUG (in --help and cli/README.md), with TOTPKEY_PASSWORD and TOTPKEY_NEW_PASSWORD", async () => {
    const help = (await runCli(null, ["--help"])).stdout;
    expect(help).toMatch(/TOTPKEY_DEBUG +when set/);
    const readme = readFileSync("cli/README.md", "utf8");
    for (const name of ["TOTPKEY_DEBUG", "TOTPKEY_PASSWORD", "TOTPKEY_NEW_PASSWORD"]) expect(readme).toContain(name);
    expect((await runCli(null, ["access", "change", "--help"])).stdout).toContain("TOTPKEY_NEW_PASSWORD");
  });
});
