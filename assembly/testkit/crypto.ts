// Test entry: the crypto and OTP layers of the module, exported for property tests and benchmarks.
// Built with the release flags into build/testkit-crypto.wasm; the token itself is built from
// index.ts. Hosts pass data through one static I/O buffer (ioBuffer(), IO_BUFFER_BYTES) and a
// context buffer for prepared keys (contextBuffer()).
import "../abi"; // routes abort() to the panic import, as in the token module
import { HMAC_CONTEXT_BYTES } from "../otp";

export { sha1Init, sha1Update, sha1Final } from "../crypto/sha1";
export { sha256Init, sha256Update, sha256Final } from "../crypto/sha256";
export { sha512Init, sha512Update, sha512Final } from "../crypto/sha512";
export { hmacOneShot } from "../crypto/hmac";
export {
  ALG_SHA1, ALG_SHA256, ALG_SHA512, HMAC_CONTEXT_BYTES, DIGEST_MAX_BYTES, TRUNCATE_INVALID,
  digestBytes, hmacPrepare, hmacWithContext, dynamicTruncate, hotpWithContext, totpCounter,
  totpWithContext, constantTimeEqual,
} from "../otp";

export const IO_BUFFER_BYTES: u32 = 16384;
const ioArea = memory.data(<i32>IO_BUFFER_BYTES);
const contextArea = memory.data(HMAC_CONTEXT_BYTES * 2);

export function ioBuffer(): usize {
  return ioArea;
}

/** Room for two prepared contexts: index 0 and 1. */
export function contextBuffer(index: u32): usize {
  return contextArea + <usize>(index & 1) * <usize>HMAC_CONTEXT_BYTES;
}
