// Test entry: the crypto and OTP layers of the module, exported for property tests and benchmarks.
// Built with the release flags into build/testkit.wasm; the token itself is built from index.ts.
import "../abi"; // routes abort() to the panic import, as in the token module
