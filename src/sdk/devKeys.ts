/**
 * The development accounts' keys: account i of a development genesis is controlled by the
 * ed25519 key whose secret is sha256("weft dev account <i>"). Public knowledge: never use
 * these keys for anything of value.
 */
import { utf8 } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { ed25519Signer } from "./signers.js";

/** The key of development account `i`. */
export function devSigner(i: number) {
  return ed25519Signer(sha256(utf8(`weft dev account ${i}`)));
}
