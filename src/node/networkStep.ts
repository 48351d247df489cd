/**
 * The end-of-block staking step a node runs when its genesis made a validator network
 * (`GenesisInfo.network`): the staking contract and block reward from the genesis, and
 * what consensus says of each block (`input`).
 */
import { type EndBlockInput, FEE_COLLECTOR } from "../chain/staking/endBlock.js";
import { readValidatorSet } from "../chain/staking/validatorSet.js";
import type { Storage } from "../state/storage.js";
import type { Vm } from "../vm/vm.js";
import type { NetworkStep } from "./buildBlock.js";
import type { GenesisInfo } from "./genesis/genesis.js";

/** The end-of-block step of a network genesis (none for a plain development chain). */
export function networkStep(
  genesis: GenesisInfo,
  vm: Vm,
  state: Storage,
  input: ((height: number) => EndBlockInput) | undefined,
): NetworkStep | undefined {
  const network = genesis.network;
  if (network === undefined) return undefined;
  const staking = network.staking;
  return {
    vm,
    config: { staking, blockReward: BigInt(network.blockReward) },
    input:
      input ??
      (() => {
        const set = readValidatorSet((key) => state.get(key), staking);
        return { proposer: set.validators[0]?.address ?? FEE_COLLECTOR, evidence: [] };
      }),
  };
}
