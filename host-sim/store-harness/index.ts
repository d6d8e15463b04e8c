// The slot store harness the store and PIN tests, the store bench and scripts/soak-store.mjs share
// (dist/host-sim/store-harness/index.js), split by concern: the module under test, the model and its
// snapshots, the power-loss checker, and reproducible workloads.
export { KIND_HOTP, KIND_TOTP } from "../module-constants.js";
export * from "./store-under-test.js";
export * from "./model.js";
export * from "./power-loss.js";
export * from "./workloads.js";
