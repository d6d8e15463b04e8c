// CSV import: a header row naming columns from name,secret,issuer,algorithm,digits,period,type,counter
// (any order; name and secret required), RFC 4180 quoting.
import { decodeBase32 } from "./base32.js";
import {
  checkCounter, checkDigits, checkPeriod, makeCredential, parseAlgorithm, parseIntegerField, OtpType,
} from "./credential.js";
import { ParseError, describeValue } from "./errors.js";
import type { ImportEntry } from "./migration.js";

export const CSV_COLUMNS = ["name", "secret", "issuer", "algorithm", "digits", "period", "type", "counter"] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, newlines inside quotes). */
export function parseCsvRows(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (fieldStarted && field.trim() !== "") throw new ParseError(`CSV line ${line}: a quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
      field = "";
    } else if (ch === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      if (!(fields.length === 1 && fields[0].trim() === "")) rows.push({ line: rowLine, fields });
      fields = [];
      field = "";
      fieldStarted = false;
      line++;
      rowLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new ParseError(`CSV line ${rowLine}: a quoted field is never closed`);
  fields.push(field);
  if (!(fields.length === 1 && fields[0].trim() === "")) rows.push({ line: rowLine, fields });
  return rows;
}

export function parseCsv(text: string): ImportEntry[] {
  const rows = parseCsvRows(text.replace(/^\uFEFF/, ""));
  if (rows.length === 0) throw new ParseError("CSV: the file is empty");
  const header = rows[0].fields.map((name) => name.trim().toLowerCase());
  const columnIndex = new Map<Column, number>();
  header.forEach((name, index) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      // Only a short cell is quoted: a file without a header row has a secret in its first row.
      throw new ParseError(`CSV: unknown column ${describeValue(name)} (column ${index + 1} of the header; columns: ${CSV_COLUMNS.join(",")})`);
    }
    if (columnIndex.has(name as Column)) throw new ParseError(`CSV: column '${name}' appears twice in the header`);
    columnIndex.set(name as Column, index);
  });
  for (const required of ["name", "secret"] as const) {
    if (!columnIndex.has(required)) throw new ParseError(`CSV: the header has no '${required}' column`);
  }
  const entries: ImportEntry[] = [];
  for (const row of rows.slice(1)) {
    const get = (column: Column): string => {
      const index = columnIndex.get(column);
      return index === undefined ? "" : (row.fields[index] ?? "").trim();
    };
    let account = get("name");
    let issuer = get("issuer");
    if (!issuer && account.includes(":")) {
      issuer = account.slice(0, account.indexOf(":")).trim();
      account = account.slice(account.indexOf(":") + 1).trim();
    }
    const label = issuer ? `${issuer}:${account}` : account || `line ${row.line}`;
    try {
      if (row.fields.length !== header.length) {
        throw new ParseError(`${row.fields.length} fields where the header has ${header.length}`);
      }
      const typeText = get("type").toLowerCase() || "totp";
      if (typeText !== "totp" && typeText !== "hotp") throw new ParseError(`unknown type ${describeValue(typeText)} (totp or hotp)`);
      const type = typeText as OtpType;
      const credential = makeCredential({
        type,
        issuer,
        account,
        secret: decodeBase32(get("secret")),
        algorithm: get("algorithm") ? parseAlgorithm(get("algorithm")) : "SHA1",
        digits: get("digits") ? checkDigits(parseIntegerField(get("digits"), "digits")) : 6,
        periodSeconds: get("period") ? checkPeriod(parseIntegerField(get("period"), "period")) : 30,
        counter: get("counter") ? checkCounter(parseIntegerField(get("counter"), "counter")) : 0,
      });
      entries.push({ label, credential });
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      entries.push({ label, error: `CSV line ${row.line}: ${error.message}` });
    }
  }
  return entries;
}
