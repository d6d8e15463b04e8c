// SHA-1, SHA-256 and SHA-512 throughput of the module against node:crypto (OpenSSL, native code),
// side by side: 1 MiB messages (bulk MB/s) and 64-byte messages (per-call cost).
import { createHash, randomBytes } from "node:crypto";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";
import { measureSideBySide, formatRate } from "./otp.bench.js";
import type { Bench } from "./run.js";

interface ShaKit {
  memory: WebAssembly.Memory;
  IO_BUFFER_BYTES: WebAssembly.Global;
  ioBuffer(): number;
  [name: string]: unknown;
}

type Hash = "sha1" | "sha256" | "sha512";
const DIGEST_BYTES: Record<Hash, number> = { sha1: 20, sha256: 32, sha512: 64 };
const LARGE_BYTES = 1 << 20;
const SMALL_BYTES = 64;

const bench: Bench = async () => {
  const kit = instantiateWithHost<ShaKit>(readModule("testkit-crypto"), quietDevices()).exports;
  const io = kit.ioBuffer();
  // Half the I/O buffer holds the data, the other half the digest.
  const chunkBytes = Math.min((kit.IO_BUFFER_BYTES.value as number) / 2, 8192);
  const chunk = randomBytes(chunkBytes);
  const large = Buffer.concat(Array.from({ length: LARGE_BYTES / chunkBytes }, () => chunk));
  const small = chunk.subarray(0, SMALL_BYTES);
  const memory = (): Uint8Array => new Uint8Array(kit.memory.buffer);
  memory().set(chunk, io);
  const digestAt = io + chunkBytes;
  let sink = 0;

  // The module hashes data already in its memory (on the token, data never crosses the host ABI):
  // the 1 MiB message is the 8 KiB data area fed 128 times, so it equals `large`.
  const functions = (hash: Hash) => {
    const init = kit[`${hash}Init`] as () => void;
    const update = kit[`${hash}Update`] as (at: number, bytes: number) => void;
    const final = kit[`${hash}Final`] as (out: number) => void;
    return { init, update, final };
  };
  const moduleHash = (hash: Hash, bytes: number): Buffer => {
    const { init, update, final } = functions(hash);
    init();
    for (let done = 0; done < bytes; done += chunkBytes) update(io, Math.min(chunkBytes, bytes - done));
    final(digestAt);
    return Buffer.from(memory().slice(digestAt, digestAt + DIGEST_BYTES[hash]));
  };

  const rows: string[] = [];
  for (const hash of ["sha1", "sha256", "sha512"] as Hash[]) {
    for (const [label, message] of [["1 MiB", large], ["64 B", small]] as const) {
      // The module must agree with node:crypto before its speed means anything.
      if (!moduleHash(hash, message.length).equals(createHash(hash).update(message).digest())) {
        throw new Error(`module ${hash} disagrees with node:crypto on the ${label} message`);
      }
      const { init, update, final } = functions(hash);
      const rates = measureSideBySide([
        {
          name: "module",
          work: (count) => {
            for (let i = 0; i < count; i++) {
              init();
              for (let done = 0; done < message.length; done += chunkBytes) update(io, Math.min(chunkBytes, message.length - done));
              final(digestAt);
            }
          },
        },
        {
          name: "node",
          work: (count) => {
            for (let i = 0; i < count; i++) sink ^= createHash(hash).update(message).digest()[0];
          },
        },
      ], 5, 200);
      const moduleRate = rates.get("module")!;
      const nodeRate = rates.get("node")!;
      const throughput = (perSecond: number): string => `${((perSecond * message.length) / 1e6).toFixed(1)} MB/s`;
      rows.push(
        `| ${hash.toUpperCase().replace("SHA", "SHA-")} | ${label} | ${throughput(moduleRate)} (${formatRate(moduleRate)}/s) | ` +
          `${throughput(nodeRate)} (${formatRate(nodeRate)}/s) | ${(moduleRate / nodeRate).toFixed(2)}x |`,
      );
    }
  }
  if (sink === -1) throw new Error("unreachable: keeps the results alive");
  return {
    title: "SHA throughput (module vs node:crypto)",
    markdown:
      `The module hashes data already in its memory (1 MiB = an 8 KiB buffer fed 128 times through the streaming API; ` +
      `64 B = one init/update/final); node:crypto (OpenSSL, native, likely with SHA extensions) hashes a Buffer. ` +
      `Medians of 5 rounds of 200 ms of process CPU time each, the two taking turns; digests checked against node:crypto first. ` +
      `MB = 10^6 bytes.\n\n| hash | message | module | node:crypto | module / node |\n|---|---|---|---|---|\n${rows.join("\n")}`,
  };
};
export default bench;
