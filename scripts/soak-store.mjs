#!/usr/bin/env node
// Randomized power-loss soak of the slot store: each run starts a small store (compaction comes
// often), runs random operations with a power cut at a random flash operation, reboots and checks
// (host-sim/store-harness/power-loss.ts: runWithCut), then does it again from the recovered flash:
// two cuts per run. Prints every violation with the seed that reproduces it; exit code 1 when there was one.
//
//   node scripts/soak-store.mjs [--runs N] [--seed S]     (after `npm run build`)
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const harnessPath = join(root, "dist", "host-sim", "store-harness", "index.js");
if (!existsSync(harnessPath)) {
  process.stderr.write(`soak-store: ${harnessPath} is missing; run 'npm run build' first\n`);
  process.exit(2);
}
const h = await import(pathToFileURL(harnessPath).href);

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}

const runs = option("--runs", 100000);
const seed = option("--seed", 1);
const SLOTS = 6;
// Regions small enough that compaction runs every few operations, large enough for SLOTS slots of
// short names (any key: a record stores the packed prepared key, up to 128 bytes for SHA-512), three
// settings and two blobs (so the store never has to refuse): 1712 bytes of footprint at most.
const REGIONS = [h.smallRegion(5, 1024), h.smallRegion(5, 1024, 64), h.smallRegion(3, 2048), h.smallRegion(2, 4096)];

function randomOps(random, model, count) {
  const ops = [];
  let m = model;
  const pick = (items) => items[Math.floor(random() * items.length)];
  while (ops.length < count) {
    const used = [...m.slots.keys()];
    const free = [...Array(SLOTS).keys()].filter((s) => !m.slots.has(s));
    const hotp = used.filter((s) => m.slots.get(s).kind === h.KIND_HOTP);
    const roll = random() * 15;
    let op;
    if (roll < 3) op = { op: "put", slot: Math.floor(random() * SLOTS), credential: h.randomCredential(random, `r${ops.length}`, 16, 32) };
    else if (roll < 7) op = hotp.length ? { op: "hotp", slot: pick(hotp) } : null;
    else if (roll < 8) op = used.length ? { op: "delete", slot: pick(used) } : null;
    else if (roll < 9) op = used.length ? { op: "rename", slot: pick(used), name: h.nameOf(`n${Math.floor(random() * 1000)}`, 1 + Math.floor(random() * 16)) } : null;
    else if (roll < 10) op = used.length && free.length ? { op: "move", from: pick(used), to: pick(free) } : null;
    else if (roll < 12) op = { op: "setting", id: 1 + Math.floor(random() * 3), value: Math.floor(random() * 2 ** 32) - 2 ** 31 };
    else if (roll < 13.8) op = { op: "blob", id: 64 + Math.floor(random() * 2), data: h.randomBytesOf(random, Math.floor(random() * 25)) };
    else if (roll < 14) op = { op: "wipe" };
    else op = { op: "maintain" };
    if (op === null) continue;
    ops.push(op);
    m = h.applyOp(m, op);
  }
  return ops;
}

let violations = 0;
const outcomes = { old: 0, new: 0, none: 0 };
const started = Date.now();
for (let run = 0; run < runs; run++) {
  const runSeed = (seed * 1_000_003 + run) >>> 0;
  const random = h.seededRandom(runSeed);
  const region = REGIONS[Math.floor(random() * REGIONS.length)];
  const session = h.prepare(region, [], SLOTS, false);
  session.model = h.emptyModel();
  for (let cut = 0; cut < 2; cut++) {
    const ops = randomOps(random, session.model, 5 + Math.floor(random() * 40));
    const total = h.countOperations(session, ops);
    const cutAt = Math.floor(random() * (total + 1));
    const behaviour = random() < 0.5 ? "atomic" : "torn";
    const found = h.runWithCut(session, ops, cutAt, behaviour, runSeed ^ (cut + 1));
    if (session.lastOutcome) outcomes[session.lastOutcome]++;
    for (const v of found) {
      violations++;
      process.stdout.write(`VIOLATION run ${run} (--seed ${seed}, run seed ${runSeed}) cut ${cut + 1} at op ${cutAt}/${total} ${behaviour}: ${v.what}\n`);
    }
    if (found.length) break;
  }
  // One run in four then works the recovered store until the log has wrapped round twice.
  if (random() < 0.25) {
    const trouble = h.cycleRegion(session);
    if (trouble !== null) {
      violations++;
      process.stdout.write(`VIOLATION run ${run} (--seed ${seed}, run seed ${runSeed}) after both cuts: ${trouble}\n`);
    }
  }
  if ((run + 1) % 10000 === 0) {
    process.stderr.write(`soak-store: ${run + 1}/${runs} runs, ${violations} violations, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
}
process.stdout.write(`soak-store: ${runs} runs, ${runs * 2} cuts (interrupted op not applied ${outcomes.old}, applied ${outcomes.new}, ` +
  `cut after the last op ${outcomes.none}), ${violations} violations\n`);
process.exitCode = violations === 0 ? 0 : 1;
