// `totpkey accounts import` end to end: files in every format into the real module, the summary,
// the progress bar, dry runs, existing names, a full token. Codes checked with oathtool.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { Secret } from "otpauth";
import { newToken, oathtool, runCli, SimulatedToken } from "./fixtures-cli/harness.js";

const randomBytesOf = (length: number) => new Uint8Array(randomBytes(length));
const base32 = (bytes: Uint8Array) => new Secret({ buffer: bytes.slice().buffer as ArrayBuffer }).base32;

// Protobuf encoding of a Google Authenticator MigrationPayload (wire format written out by hand).
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do { let byte = v & 0x7f; v = Math.floor(v / 128); if (v > 0) byte |= 0x80; out.push(byte); } while (v > 0);
  return out;
}
const bytesField = (field: number, data: number[]) => [...varint((field << 3) | 2), ...varint(data.length), ...data];
const varintField = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
function migrationUri(entries: { secret: Uint8Array; name: string; issuer: string }[], batchIndex: number, batchSize: number): string {
  const payload = [
    ...entries.flatMap((entry) => bytesField(1, [
      ...bytesField(1, [...entry.secret]), ...bytesField(2, [...Buffer.from(entry.name)]), ...bytesField(3, [...Buffer.from(entry.issuer)]),
      ...varintField(4, 1), ...varintField(5, 1), ...varintField(6, 2),
    ])),
    ...varintField(2, 1), ...varintField(3, batchSize), ...varintField(4, batchIndex), ...varintField(5, 1234),
  ];
  return `otpauth-migration://offline?data=${encodeURIComponent(Buffer.from(payload).toString("base64"))}`;
}

async function names(sim: SimulatedToken): Promise<string[]> {
  return JSON.parse((await runCli(sim, ["accounts", "list", "--json"])).stdout).map((row: { name: string }) => row.name);
}

describe("accounts import", () => {
  it("imports a Google Authenticator export from two QR screenshots; codes equal oathtool's", async () => {
    const sim = newToken();
    const accounts = Array.from({ length: 6 }, (_, i) => ({ secret: randomBytesOf(20), name: `user${i}@example.com`, issuer: `Site${i}` }));
    const files = {
      "ga-1.png": new Uint8Array(await QRCode.toBuffer(migrationUri(accounts.slice(0, 3), 0, 2), { type: "png" })),
      "ga-2.png": new Uint8Array(await QRCode.toBuffer(migrationUri(accounts.slice(3), 1, 2), { type: "png" })),
    };
    const result = await runCli(sim, ["accounts", "import", "ga-1.png", "ga-2.png"], { files });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(accounts.map((a) => `added     ${a.issuer}:${a.name}`));
    expect(result.stderr).toMatch(/^added 6, skipped 0, refused 0 \(qr, migration\)$/m);
    const codes = JSON.parse((await runCli(sim, ["accounts", "code", "--json"])).stdout);
    const now = Math.floor(sim.nowSeconds());
    for (const [i, account] of accounts.entries()) {
      expect(codes[i].code).toBe(oathtool(["--totp", "-b", base32(account.secret), "--now", `@${now}`]));
    }
  });

  it("warns about a missing batch and imports what it has", async () => {
    const sim = newToken();
    const accounts = [{ secret: randomBytesOf(20), name: "a", issuer: "X" }];
    const result = await runCli(sim, ["accounts", "import", "ga.txt"], { files: { "ga.txt": migrationUri(accounts, 0, 3) } });
    expect(result.stderr).toMatch(/warning: export incomplete: QR code\(s\) 2, 3 of 3 missing/);
    expect(await names(sim)).toEqual(["X:a"]);
  });

  it("imports a URI list and CSV, reports refused lines and why, exit 1, writes the good ones", async () => {
    const sim = newToken();
    const s = base32(randomBytesOf(20));
    const list = [`otpauth://totp/A:one?secret=${s}`, `otpauth://totp/B:two?secret=${s}&algorithm=SHA3`, `otpauth://hotp/C:three?secret=${s}&counter=2`].join("\n");
    const csv = `name,secret,issuer,digits,period\nalice,${s},Example,8,60\nbob,not*base32,Example,6,30\ncarol,${s},,10,30\n`;
    const result = await runCli(sim, ["accounts", "import", "list.txt", "accounts.csv"], { files: { "list.txt": list, "accounts.csv": csv } });
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      "added     A:one",
      "refused   B:two: unknown algorithm 'SHA3' (use SHA1, SHA256 or SHA512)",
      "added     C:three",
      "added     60/Example:alice",
      "refused   Example:bob: CSV line 3: base32: invalid character at position 4 (base32 uses only A-Z and 2-7)",
      "added     carol",
    ]);
    expect(result.stderr).toMatch(/added 4, skipped 0, refused 2 \(otpauth, csv\)/);
    expect(await names(sim)).toEqual(["A:one", "C:three", "60/Example:alice", "carol"]);
    const listed = JSON.parse((await runCli(sim, ["accounts", "list", "carol", "--json"])).stdout);
    expect(listed[0]).toMatchObject({ digits: 10 });
  });

  it("skips names already on the token unless --overwrite; a dry run writes nothing", async () => {
    const sim = newToken();
    const old = base32(randomBytesOf(20));
    const fresh = base32(randomBytesOf(20));
    await runCli(sim, ["accounts", "add", "Example:alice", old]);
    const aegis = JSON.stringify({
      version: 1, header: { slots: null, params: null },
      db: { version: 2, entries: [
        { type: "totp", uuid: "1", name: "alice", issuer: "Example", icon: null, info: { secret: fresh, algo: "SHA1", digits: 6, period: 30 } },
        { type: "totp", uuid: "2", name: "bob", issuer: "Example", icon: null, info: { secret: fresh, algo: "SHA256", digits: 8, period: 30 } },
        { type: "totp", uuid: "3", name: "bob", issuer: "Example", icon: null, info: { secret: fresh, algo: "SHA256", digits: 8, period: 30 } },
      ] },
    });
    const dry = await runCli(sim, ["accounts", "import", "aegis.json", "--dry-run", "--json"], { files: { "aegis.json": aegis } });
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ formats: ["aegis"], dryRun: true, accounts: [
      { name: "Example:alice", status: "skipped" }, { name: "Example:bob", status: "added" },
      { name: "Example:bob", status: "skipped", reason: "appears twice in the import" },
    ] });
    expect(await names(sim)).toEqual(["Example:alice"]);
    const skipped = await runCli(sim, ["accounts", "import", "aegis.json"], { files: { "aegis.json": aegis } });
    expect(skipped.stdout).toMatch(/^skipped   Example:alice: already on the token/m);
    const now = () => `@${Math.floor(sim.nowSeconds())}`;
    const codeOf = async (name: string) => JSON.parse((await runCli(sim, ["accounts", "code", name, "--json"])).stdout)[0].code;
    expect(await codeOf("Example:alice")).toBe(oathtool(["--totp", "-b", old, "--now", now()]));
    const overwritten = await runCli(sim, ["accounts", "import", "aegis.json", "--overwrite"], { files: { "aegis.json": aegis } });
    expect(overwritten.status, overwritten.stderr).toBe(0);
    expect(await codeOf("Example:alice")).toBe(oathtool(["--totp", "-b", fresh, "--now", now()]));
    expect(await names(sim)).toEqual(["Example:alice", "Example:bob"]);
  });

  it("fills the token to 100 and refuses the rest; shows a progress bar on a terminal", async () => {
    const sim = newToken();
    const lines = Array.from({ length: 103 }, (_, i) => `otpauth://totp/Bulk:user${String(i).padStart(3, "0")}?secret=${base32(randomBytesOf(20))}`);
    const result = await runCli(sim, ["accounts", "import", "bulk.txt", "--json"], { files: { "bulk.txt": lines.join("\n") }, stderrIsTty: true });
    expect(result.status).toBe(1);
    const outcomes = JSON.parse(result.stdout).accounts as { status: string; reason?: string }[];
    expect(outcomes.filter((o) => o.status === "added")).toHaveLength(100);
    expect(outcomes.slice(100)).toEqual(Array(3).fill(expect.objectContaining({ status: "refused", reason: "no free slot left on the token" })));
    expect(result.stderr).toMatch(/\r\[#{15}\.{15}\] 51\/103 Bulk:user051/);
    expect(result.stderr).toMatch(/\r\[#{30}\] 103\/103 /);
    expect(result.stderr).toMatch(/added 100, skipped 0, refused 3/);
    expect(await names(sim)).toHaveLength(100);
    const plain = await runCli(sim, ["accounts", "import", "bulk.txt"], { files: { "bulk.txt": lines[0] } });
    expect(plain.stderr).not.toMatch(/\[#/);
  });

  it("refuses unreadable input with one line naming the file and the problem", async () => {
    const sim = newToken();
    const blank = new Uint8Array(await QRCode.toBuffer("x", { type: "png" }));
    blank.fill(0xff, 100, 200);
    const cases: [Record<string, string | Uint8Array>, RegExp][] = [
      [{ "e.json": '{"version":1,"header":{"slots":[{}]},"db":"AAAA"}' }, /e.json: .*Aegis export is encrypted/],
      [{ "x.csv": "user,pass\nbob,hunter2\n" }, /x.csv: CSV: unknown column 'user'/],
      [{ "x.png": blank }, /x.png: not a readable PNG|x.png: no QR code found/],
      [{ "x.bin": new Uint8Array([0xc3, 0x28, 0xa0]) }, /x.bin: not a text file, PNG or JPEG/],
    ];
    for (const [files, message] of cases) {
      const result = await runCli(sim, ["accounts", "import", Object.keys(files)[0]], { files });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(await names(sim)).toEqual([]);
  });
});
