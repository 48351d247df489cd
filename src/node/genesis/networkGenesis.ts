/**
 * A validator network's genesis: the staking contract made the network's registry, with
 * the genesis validators registered (BLS key and proof of possession for the chain id and
 * the operator's address), each self-delegating its stake, and epoch 0's set computed
 * (`configureNetwork`, which also hands the contract's ownership to the protocol). Blocks
 * then pay their fees to `FEE_COLLECTOR` and end with the staking step
 * (src/chain/staking/endBlock.ts).
 */
import type { SetupRunner } from "../../chain/setupRunner.js";
import { FEE_COLLECTOR } from "../../chain/staking/endBlock.js";
import {
  type GenesisValidator,
  MAX_EVIDENCE_AGE,
  type NetworkGenesis,
  networkStakingArgs as stakingArgs,
} from "../../chain/staking/genesisStaking.js";
import type { Address } from "../../codec/address.js";
import { GAS } from "../../vm/gasSchedule.js";

const _E18 = 10n ** 18n;

export type { GenesisValidator, NetworkGenesis };

/** What a network genesis records (in `GenesisInfo.network`). */
export interface NetworkInfo {
  staking: Address;
  blockReward: string;
  feeCollector: Address;
  epochLength: string;
  activeSize: number;
}

export { MAX_EVIDENCE_AGE };

/** The staking contract's constructor arguments on a network: 5% for double signing, 1% for downtime. */
export function networkStakingArgs(spec: NetworkGenesis): unknown[] {
  return stakingArgs(spec.unbondingSeconds);
}

export class NetworkGenesisError extends Error {
  readonly code = "BAD_NETWORK_GENESIS";
  constructor(message: string) {
    super(message);
    this.name = "NetworkGenesisError";
  }
}

/** Registers and bonds the genesis validators and configures the network; `funder` pays their stakes. */
export function setUpNetwork(
  s: SetupRunner,
  staking: Address,
  funder: Address,
  spec: NetworkGenesis,
): NetworkInfo {
  if (spec.validators.length === 0)
    throw new NetworkGenesisError("a network genesis needs at least one validator");
  if (spec.evidenceAge < 1n || spec.evidenceAge > MAX_EVIDENCE_AGE)
    throw new NetworkGenesisError(
      `evidenceAge ${spec.evidenceAge} is outside 1..${MAX_EVIDENCE_AGE} blocks (the staking contract's bound)`,
    );
  for (const v of spec.validators)
    if (v.stake <= 0n)
      throw new NetworkGenesisError(`validator ${v.operator} has no stake: it could not be in the set`);
  s.run(
    spec.validators.map((v) => ({
      kind: "transfer",
      from: funder,
      to: v.operator,
      amount: v.stake,
      gasLimit: GAS.TX_BASE + GAS.TRANSFER_TX,
      gasPrice: 0n,
    })),
  );
  s.run(
    spec.validators.flatMap((v) => [
      s.tx("staking", staking, v.operator, "register", [v.commissionBps, v.blsKey, v.proofOfPossession]),
      s.tx("staking", staking, v.operator, "delegate", [v.operator], v.stake),
    ]),
  );
  s.run([
    s.tx("staking", staking, funder, "configureNetwork", [
      spec.activeSize,
      spec.epochLength,
      spec.jailSeconds,
      spec.evidenceAge,
    ]),
  ]);
  return {
    staking,
    blockReward: spec.blockReward.toString(),
    feeCollector: FEE_COLLECTOR,
    epochLength: spec.epochLength.toString(),
    activeSize: spec.activeSize,
  };
}
