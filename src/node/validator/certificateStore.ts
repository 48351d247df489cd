/**
 * Commit certificates stored beside their blocks: a meta record `certificate:<number>` (the
 * certificate's bytes, `consensus/certificate.ts`, as hex) written in the same LMDB transaction
 * as the block, so a block decided by consensus is never stored without its proof. Blocks of a
 * chain without consensus (dev mode, the single producer) simply have none.
 *
 * Beside it, `value:<number>`: the decided value's bytes (`blockValue.ts`) as hex, which block
 * sync serves to nodes catching up (`node/certifiedSync.ts`): the proposer, the last commit
 * and the evidence it carries are not in the stored block, and re-execution needs them.
 */
import { fromHex, toHex, utf8 } from "../../codec/bytes.js";
import { type CommitCertificate, decodeCertificate, encodeCertificate } from "../../consensus/certificate.js";
import type { ChainDb, EncodedBlock } from "../store/chainDb.js";

export function certificateKey(number: number): string {
  return `certificate:${number}`;
}

/** Adds the certificate to a block's records (before `head`, which stays last). */
export function attachCertificate(encoded: EncodedBlock, certificate: CommitCertificate): void {
  const record: [Uint8Array, Uint8Array] = [
    utf8(certificateKey(certificate.height)),
    utf8(JSON.stringify(toHex(encodeCertificate(certificate)))),
  ];
  encoded.meta.splice(Math.max(0, encoded.meta.length - 1), 0, record);
}

export function valueKey(number: number): string {
  return `value:${number}`;
}

/** Adds the decided value's bytes to a block's records (before `head`, which stays last). */
export function attachValue(encoded: EncodedBlock, number: number, value: Uint8Array): void {
  const record: [Uint8Array, Uint8Array] = [utf8(valueKey(number)), utf8(JSON.stringify(toHex(value)))];
  encoded.meta.splice(Math.max(0, encoded.meta.length - 1), 0, record);
}

/** The stored certificate of block `number`, if it has one. */
export function readCertificate(db: Pick<ChainDb, "meta">, number: number): CommitCertificate | undefined {
  const text = db.meta<string>(certificateKey(number));
  return text === undefined ? undefined : decodeCertificate(fromHex(text));
}

/** The stored value bytes of block `number` (the decided value), if it has them. */
export function readValue(db: Pick<ChainDb, "meta">, number: number): Uint8Array | undefined {
  const text = db.meta<string>(valueKey(number));
  return text === undefined ? undefined : fromHex(text);
}
