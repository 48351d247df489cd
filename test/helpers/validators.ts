/** Validators' BLS keys for tests: deterministic per index, with proofs of possession for an address. */
import { genesisToJson } from "../../src/chain/genesisFile.js";
import type { Address } from "../../src/codec/address.js";
import { type BlsKeyPair, blsKeyFromSeed, blsProofOfPossession } from "../../src/codec/bls.js";
import { utf8 } from "../../src/codec/bytes.js";
import { sha256 } from "../../src/codec/hash.js";
import { devAccountAddress } from "../../src/node/genesis/genesis.js";

export const TEST_CHAIN_ID = 1337n;

export function blsKey(i: number): BlsKeyPair {
  return blsKeyFromSeed(sha256(utf8(`weft test validator ${i}`)));
}

/** `register`'s arguments: commission, key `i`'s public key, its proof of possession for `who`. */
export function registerArgs(
  who: Address,
  commissionBps: number,
  i: number,
  chainId = TEST_CHAIN_ID,
): unknown[] {
  const key = blsKey(i);
  return [commissionBps, key.publicKey, blsProofOfPossession(key, chainId, who)];
}

/**
 * A genesis file's JSON (no genesis time) of a validator network whose validator i is BLS key i
 * with dev account i its operator and `stakes[i]` its stake: no commission, no block reward,
 * 600 s jails, evidence 100 blocks old at most, 1 day of unbonding.
 */
export function stakesGenesisJson(
  chainId: bigint,
  stakes: readonly bigint[],
  params: { activeSize: number; epochLength: bigint },
): ReturnType<typeof genesisToJson> {
  return genesisToJson({
    chainId,
    genesisTime: 0,
    network: {
      validators: stakes.map((stake, i) => ({
        operator: devAccountAddress(i),
        blsKey: blsKey(i).publicKey,
        proofOfPossession: blsProofOfPossession(blsKey(i), chainId, devAccountAddress(i)),
        stake,
        commissionBps: 0,
      })),
      ...params,
      jailSeconds: 600n,
      evidenceAge: 100n,
      unbondingSeconds: 86_400n,
      blockReward: 0n,
    },
  });
}
