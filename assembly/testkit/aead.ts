// Test entry: ChaCha20, Poly1305, the ChaCha20-Poly1305 AEAD and PBKDF2-HMAC-SHA-256 of the crypto
// layer, exported for vector/property tests and benchmarks. Built with the release flags into
// build/testkit-aead.wasm. Hosts pass data through one static I/O buffer (ioBuffer(),
// IO_BUFFER_BYTES); every function takes pointers into it.
import "../abi"; // routes abort() to the panic import, as in the token module

export { CHACHA20_KEY_BYTES, CHACHA20_NONCE_BYTES, CHACHA20_BLOCK_BYTES, chacha20Block, chacha20Xor } from "../crypto/chacha20";
export { POLY1305_KEY_BYTES, POLY1305_TAG_BYTES, poly1305Init, poly1305Update, poly1305PadToBlock, poly1305Final, poly1305Mac } from "../crypto/poly1305";
export { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadSeal, aeadOpen } from "../crypto/aead";
export {
  PBKDF2_SALT_MAX_BYTES, PBKDF2_KEY_MAX_BYTES, PBKDF2_ITERATIONS_MAX, PBKDF2_PASSWORD_MAX_BYTES,
  pbkdf2Begin, pbkdf2Step, pbkdf2Result, pbkdf2Cancel, pbkdf2HmacSha256,
} from "../crypto/pbkdf2";

export const IO_BUFFER_BYTES: u32 = 8192;
const ioArea = memory.data(<i32>IO_BUFFER_BYTES);

export function ioBuffer(): usize {
  return ioArea;
}
