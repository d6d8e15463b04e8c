// Importers, against fixtures built here: QR PNGs from the qrcode package (JPEGs re-encoded with
// jpeg-js), Google Authenticator payloads protobuf-encoded below, Aegis and 2FAS JSON.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";
import { Secret } from "otpauth";
import { readImportSources, ImportSource } from "../cli/parse/import.js";
import { parseMigrationUri } from "../cli/parse/migration.js";
import { readQrText } from "../cli/parse/qr.js";
import { parseCsv } from "../cli/parse/csv.js";
import { ParseError } from "../cli/parse/errors.js";
import type { Credential } from "../cli/parse/credential.js";

const b32 = (bytes: Uint8Array) => new Secret({ buffer: bytes.slice().buffer as ArrayBuffer }).base32;
const source = (name: string, content: string | Uint8Array): ImportSource =>
  ({ name, bytes: typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content });

// --- a protobuf encoder, written from the wire-format description, for migration payloads ---
function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}
const fieldVarint = (field: number, value: bigint | number) => [...varint((field << 3) | 0), ...varint(value)];
const fieldBytes = (field: number, bytes: Uint8Array | number[] | string) => {
  const data = typeof bytes === "string" ? [...Buffer.from(bytes, "utf8")] : [...bytes];
  return [...varint((field << 3) | 2), ...varint(data.length), ...data];
};

interface OtpParams { secret: Uint8Array; name: string; issuer?: string; algorithm?: number; digits?: number; type?: number; counter?: number }
function otpParameters(p: OtpParams): number[] {
  return [
    ...fieldBytes(1, p.secret), ...fieldBytes(2, p.name), ...(p.issuer !== undefined ? fieldBytes(3, p.issuer) : []),
    ...fieldVarint(4, p.algorithm ?? 1), ...fieldVarint(5, p.digits ?? 1), ...fieldVarint(6, p.type ?? 2),
    ...(p.counter !== undefined ? fieldVarint(7, p.counter) : []),
  ];
}
function migrationUri(params: OtpParams[], batch = { size: 1, index: 0, id: 7 }, urlEncode = true): string {
  const payload = [
    ...params.flatMap((p) => fieldBytes(1, otpParameters(p))),
    ...fieldVarint(2, 1), ...fieldVarint(3, batch.size), ...fieldVarint(4, batch.index), ...fieldVarint(5, batch.id),
  ];
  const base64 = Buffer.from(payload).toString("base64");
  return `otpauth-migration://offline?data=${urlEncode ? encodeURIComponent(base64) : base64}`;
}

async function qrPng(text: string, options: QRCode.QRCodeToBufferOptions = {}): Promise<Uint8Array> {
  return new Uint8Array(await QRCode.toBuffer(text, { type: "png", margin: 4, scale: 6, ...options }));
}
function pngToJpeg(pngBytes: Uint8Array, quality = 85): Uint8Array {
  const png = PNG.sync.read(Buffer.from(pngBytes));
  return new Uint8Array(jpeg.encode({ data: png.data, width: png.width, height: png.height }, quality).data);
}
function blankPng(width = 200, height = 120): Uint8Array {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return new Uint8Array(PNG.sync.write(png));
}

function credentials(result: { entries: ({ credential: Credential } | { error: string })[] }): Credential[] {
  return result.entries.flatMap((entry) => ("credential" in entry ? [entry.credential] : []));
}

describe("Google Authenticator export (otpauth-migration)", () => {
  it("decodes every field, SHA256/SHA512, 8 digits, HOTP counters past 2^31, and long secrets", () => {
    const secrets = [randomBytes(20), randomBytes(32), randomBytes(64), randomBytes(40)].map((b) => new Uint8Array(b));
    const uri = migrationUri([
      { secret: secrets[0], name: "alice@example.com", issuer: "Example" },
      { secret: secrets[1], name: "ACME:bob", issuer: "", algorithm: 2, digits: 2 },
      { secret: secrets[2], name: "carol", algorithm: 3, type: 1, counter: 3_000_000_000 },
      { secret: secrets[3], name: "Amazon Web Services:root", algorithm: 0, digits: 0, type: 0 },
    ]);
    const batch = parseMigrationUri(uri);
    expect(batch).toMatchObject({ batchSize: 1, batchIndex: 0, batchId: 7 });
    const got = batch.entries.map((entry) => ("credential" in entry ? entry.credential : entry.error));
    expect(got[0]).toMatchObject({ type: "totp", issuer: "Example", account: "alice@example.com", algorithm: "SHA1", digits: 6, periodSeconds: 30 });
    expect(got[1]).toMatchObject({ issuer: "ACME", account: "bob", algorithm: "SHA256", digits: 8 });
    expect(got[2]).toMatchObject({ type: "hotp", account: "carol", algorithm: "SHA512", counter: 3_000_000_000 });
    expect(got[3]).toMatchObject({ issuer: "Amazon Web Services", account: "root", algorithm: "SHA1", digits: 6 });
    got.forEach((credential, i) => expect((credential as Credential).secret).toEqual(secrets[i]));
  });

  it("accepts data that is not %-encoded (spaces for '+' as some scanners produce)", () => {
    const secret = new Uint8Array(randomBytes(20));
    const raw = migrationUri([{ secret, name: "x" }], undefined, false).replace(/\+/g, " ");
    expect(credentials({ entries: parseMigrationUri(raw).entries })[0].secret).toEqual(secret);
  });

  it("refuses MD5 and unknown enum values per entry, keeping the rest", () => {
    const batch = parseMigrationUri(migrationUri([
      { secret: new Uint8Array(20), name: "md5", algorithm: 4 },
      { secret: new Uint8Array(20), name: "weird", digits: 9 },
      { secret: new Uint8Array(20), name: "fine" },
      { secret: new Uint8Array(0), name: "nosecret" },
    ]));
    expect(batch.entries.map((entry) => ("error" in entry ? entry.error : "ok"))).toEqual([
      "MD5 is not supported by the token", "unknown digit-count code 9", "ok", "the secret is empty",
    ]);
  });

  it.each([
    ["otpauth-migration://offline?foo=1", /data parameter is missing/],
    ["otpauth-migration://offline?data=", /data parameter is missing/],
    ["otpauth-migration://offline?data=%%", /broken %-escape/],
    ["otpauth-migration://offline?data=ab*c", /not base64/],
    ["otpauth-migration://offline?data=" + Buffer.from([0x0a, 0x10, 0x01]).toString("base64"), /runs past the end/],
    ["otpauth-migration://offline?data=" + Buffer.from([0x08, 0xff]).toString("base64"), /truncated varint/],
    ["otpauth-migration://offline?data=" + Buffer.from([0x0b]).toString("base64"), /unsupported wire type 3/],
    ["otpauth-migration://online?data=AA", /not an otpauth-migration/],
  ])("refuses %s", (uri, message) => {
    expect(() => parseMigrationUri(uri)).toThrow(ParseError);
    expect(() => parseMigrationUri(uri)).toThrow(message);
  });

  it("joins a multi-batch export across QR images and names the missing batches", async () => {
    const a = new Uint8Array(randomBytes(20));
    const b = new Uint8Array(randomBytes(20));
    const c = new Uint8Array(randomBytes(20));
    const batch1 = await qrPng(migrationUri([{ secret: a, name: "a" }], { size: 3, index: 0, id: 99 }));
    const batch2 = await qrPng(migrationUri([{ secret: b, name: "b" }], { size: 3, index: 1, id: 99 }));
    const batch3 = migrationUri([{ secret: c, name: "c" }], { size: 3, index: 2, id: 99 });
    const full = readImportSources([source("1.png", batch1), source("2.png", batch2), source("3.txt", batch3)]);
    expect(credentials(full).map((cr) => cr.account)).toEqual(["a", "b", "c"]);
    expect(full.warnings).toEqual([]);
    expect(full.formats.sort()).toEqual(["migration", "qr"]);
    const partial = readImportSources([source("1.png", batch1), source("1again.png", batch1)]);
    expect(partial.warnings).toEqual([
      "batch 1 of 3 appears twice; its second copy was ignored",
      "export incomplete: QR code(s) 2, 3 of 3 missing",
    ]);
  });
});

describe("QR images", () => {
  const uri = "otpauth://totp/GitLab:dev@example.com?secret=" + b32(new Uint8Array(randomBytes(50))) + "&issuer=GitLab";

  it("reads an otpauth URI from a PNG, a JPEG photo-quality re-encode and a dark-mode (inverted) PNG", async () => {
    const png = await qrPng(uri);
    expect(readQrText(png)).toBe(uri);
    expect(readQrText(pngToJpeg(png, 60))).toBe(uri);
    const inverted = await qrPng(uri, { color: { dark: "#ffffffff", light: "#000000ff" } });
    expect(readQrText(inverted)).toBe(uri);
    const result = readImportSources([source("shot.jpg", pngToJpeg(png))]);
    expect(credentials(result)[0]).toMatchObject({ issuer: "GitLab", account: "dev@example.com" });
    expect(credentials(result)[0].secret.length).toBe(50);
  });

  it("says so when an image has no QR code, or is not an image it can read", async () => {
    expect(() => readQrText(blankPng(), "blank.png")).toThrow("blank.png: no QR code found in the image");
    expect(() => readQrText(pngToJpeg(blankPng()), "blank.jpg")).toThrow("blank.jpg: no QR code found in the image");
    const broken = (await qrPng(uri)).slice(0, 100);
    expect(() => readQrText(broken, "cut.png")).toThrow(/cut.png: not a readable PNG/);
    expect(() => readQrText(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]), "cut.jpg")).toThrow(/cut.jpg: not a readable JPEG/);
    expect(() => readQrText(new Uint8Array([1, 2, 3]), "x.gif")).toThrow(/not a PNG or JPEG/);
  });

  it("reports a QR code that holds something other than an otpauth URI", async () => {
    const png = await qrPng("https://example.com/");
    expect(() => readImportSources([source("web.png", png)])).toThrow("web.png: the QR code holds no otpauth URI (it holds a https: URI of 20 characters)");
  });
});

describe("URI lists and CSV", () => {
  const s1 = b32(new Uint8Array(randomBytes(20)));
  it("reads otpauth URIs one per line, with comments, reporting the bad lines", () => {
    const text = [
      "# exported",
      `otpauth://totp/A:one?secret=${s1}&issuer=A`,
      "",
      `otpauth://totp/B:two?secret=${s1}&digits=9x`,
      `otpauth://hotp/three?secret=${s1}&counter=5`,
    ].join("\n");
    const result = readImportSources([source("list.txt", text)]);
    expect(result.entries.map((entry) => ("error" in entry ? `${entry.label}: ${entry.error}` : entry.label))).toEqual([
      "A:one", "B:two: digits '9x' is not a whole number", "three",
    ]);
  });

  it("reads CSV with quoting, any column order and defaults", () => {
    const csv = [
      "secret,name,issuer,digits,period,algorithm,type,counter",
      `${s1},alice,"Example, Inc.",8,60,sha256,totp,`,
      `"${s1.toLowerCase()}","bob ""the builder""",,,,,hotp,7`,
      `${s1},Corp:carol,,,,,,`,
    ].join("\r\n") + "\r\n";
    const result = credentials({ entries: parseCsv(csv) });
    expect(result[0]).toMatchObject({ issuer: "Example, Inc.", account: "alice", digits: 8, periodSeconds: 60, algorithm: "SHA256" });
    expect(result[1]).toMatchObject({ type: "hotp", account: 'bob "the builder"', counter: 7, digits: 6 });
    expect(result[2]).toMatchObject({ issuer: "Corp", account: "carol", type: "totp", periodSeconds: 30 });
  });

  it("reports CSV errors by line", () => {
    const entries = parseCsv(`name,secret,digits\nok,${s1},6\nbad,${s1}!,6\nshort,${s1}\nbig,${s1},11\n`);
    expect(entries.map((entry) => ("error" in entry ? entry.error : "ok"))).toEqual([
      "ok", 'CSV line 3: base32: invalid character at position 33 (base32 uses only A-Z and 2-7)', "CSV line 4: 2 fields where the header has 3",
      "CSV line 5: digits 11 is out of range (4-10)",
    ]);
    expect(() => parseCsv("name,password\n")).toThrow("CSV: unknown column 'password' (column 2 of the header;");
    expect(() => parseCsv("name,issuer\n")).toThrow("CSV: the header has no 'secret' column");
    expect(() => parseCsv('name,secret\n"open,x\n')).toThrow("CSV line 2: a quoted field is never closed");
  });
});

describe("Aegis and 2FAS plaintext exports", () => {
  const s1 = b32(new Uint8Array(randomBytes(20)));
  const s2 = b32(new Uint8Array(randomBytes(64)));
  const aegis = {
    version: 1,
    header: { slots: null, params: null },
    db: {
      version: 2,
      entries: [
        { type: "totp", uuid: "u1", name: "alice", issuer: "Example", note: "", icon: null, info: { secret: s1, algo: "SHA1", digits: 6, period: 30 } },
        { type: "hotp", uuid: "u2", name: "bob", issuer: "Corp", icon: null, info: { secret: s2, algo: "SHA512", digits: 8, counter: 12 } },
        { type: "steam", uuid: "u3", name: "gamer", issuer: "Steam", icon: null, info: { secret: s1, algo: "SHA1", digits: 5, period: 30 } },
        { type: "totp", uuid: "u4", name: "slow", issuer: "", icon: null, info: { secret: s1, algo: "SHA256", digits: 7, period: 90 } },
      ],
    },
  };

  it("imports Aegis entries and refuses the types the token lacks", () => {
    const result = readImportSources([source("aegis.json", JSON.stringify(aegis, null, 2))]);
    expect(result.formats).toEqual(["aegis"]);
    expect(result.entries.map((entry) => ("error" in entry ? `${entry.label}: ${entry.error}` : entry.label))).toEqual([
      "Example:alice", "Corp:bob", "Steam:gamer: type 'steam' is not supported by the token (totp or hotp only)", "slow",
    ]);
    const [alice, bob, , slow] = result.entries.map((entry) => ("credential" in entry ? entry.credential : null));
    expect(bob).toMatchObject({ type: "hotp", algorithm: "SHA512", digits: 8, counter: 12 });
    expect(bob!.secret.length).toBe(64);
    expect(alice!.secret).toEqual(new Uint8Array(Secret.fromBase32(s1).bytes));
    expect(slow).toMatchObject({ periodSeconds: 90, digits: 7, algorithm: "SHA256" });
  });

  it("refuses an encrypted Aegis vault with instructions", () => {
    const encrypted = { version: 1, header: { slots: [{ type: 1 }], params: { nonce: "00", tag: "00" } }, db: "AAAA" };
    expect(() => readImportSources([source("v.json", JSON.stringify(encrypted))])).toThrow(/Aegis export is encrypted/);
  });

  const twoFas = {
    services: [
      { name: "GitHub", secret: s1, otp: { account: "octocat", issuer: "GitHub", digits: 6, period: 30, algorithm: "SHA1", tokenType: "TOTP", source: "Link" }, order: { position: 0 } },
      { name: "Bank", secret: s2, otp: { account: "", digits: 8, counter: 3, algorithm: "SHA256", tokenType: "HOTP" }, order: { position: 1 } },
      { name: "Steam", secret: s1, otp: { tokenType: "STEAM", digits: 5 } },
      { name: "Broken", secret: "not base32!", otp: { tokenType: "TOTP" } },
    ],
    groups: [],
    updatedAt: 1700000000000,
    schemaVersion: 4,
    appVersionCode: 5000000,
  };

  it("imports 2FAS services", () => {
    const result = readImportSources([source("backup.2fas", JSON.stringify(twoFas))]);
    expect(result.formats).toEqual(["2fas"]);
    const summary = result.entries.map((entry) => ("error" in entry ? `${entry.label}: ${entry.error}` : entry.label));
    expect(summary[0]).toBe("GitHub:octocat");
    expect(summary[1]).toBe("Bank");
    expect(summary[2]).toBe("Steam: type 'STEAM' is not supported by the token (totp or hotp only)");
    expect(summary[3]).toBe('Broken: base32: invalid character at position 10 (base32 uses only A-Z and 2-7)');
    const bank = (result.entries[1] as { credential: Credential }).credential;
    expect(bank).toMatchObject({ type: "hotp", account: "Bank", issuer: "", digits: 8, counter: 3, algorithm: "SHA256" });
  });

  it("refuses an encrypted 2FAS backup and unknown JSON", () => {
    const encrypted = { services: [], servicesEncrypted: "abc:def:ghi", schemaVersion: 4 };
    expect(() => readImportSources([source("b.2fas", JSON.stringify(encrypted))])).toThrow(/2FAS export is encrypted/);
    expect(() => readImportSources([source("x.json", '{"a":1}')])).toThrow("x.json: JSON that is neither an Aegis nor a 2FAS export");
    expect(() => readImportSources([source("x.json", '{"a":')])).toThrow(/x.json: invalid JSON/);
    expect(() => readImportSources([source("e.txt", "  \n")])).toThrow("e.txt: the file is empty");
  });
});
