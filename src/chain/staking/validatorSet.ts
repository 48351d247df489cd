/**
 * The validator set as the node and consensus read it: straight from the staking
 * contract's storage in a committed state (no execution, so every node reads the same
 * thing from the same state root). The newest set is that of `epoch`; it was computed at
 * the end of block epoch·L (L the epoch length), or at genesis for epoch 0, and it signs
 * heights epoch·L+1 .. (epoch+1)·L (`epochOfHeight`).
 *
 * @example
 * const set = readValidatorSet((key) => store.get(key), stakingAddress);
 * set.validators[0]; // { address, power, blsKey }, largest stake first
 */
import type { Address } from "../../codec/address.js";
import type { StateKey } from "../../state/keys.js";
import { readSlot, slots } from "./storageLayout.js";

export interface SetMember {
  /** The validator's operator address (its account; what delegators delegate to). */
  address: Address;
  /** Voting power: proportional to stake; the set's total is at most 1e9. */
  power: number;
  /** 48-byte compressed BLS12-381 public key its votes are signed with. */
  blsKey: Uint8Array;
}

export interface ValidatorSet {
  epoch: bigint;
  /** In the contract's order: stake descending, ties in registration order. Bit i of a certificate's signer bitmap is validators[i]. */
  validators: SetMember[];
  totalPower: number;
}

export class ValidatorSetError extends Error {
  readonly code: "NOT_A_NETWORK" | "NO_SUCH_EPOCH";
  constructor(code: ValidatorSetError["code"], message: string) {
    super(message);
    this.name = "ValidatorSetError";
    this.code = code;
  }
}

export type ReadState = (key: StateKey) => Uint8Array | undefined;

/** The epoch length L in blocks, or 0 if the staking contract is not configured as a network. */
export function epochLength(read: ReadState, staking: Address): bigint {
  return readSlot(read, staking, slots.epochLength(), "u64", 0n);
}

/** The epoch height `height` belongs to (height 0, genesis, is epoch 0's). */
export function epochOfHeight(height: bigint, length: bigint): bigint {
  return height === 0n ? 0n : (height - 1n) / length;
}

/** The set of `epoch` (default: the newest). Sets older than the previous epoch are deleted. */
export function readValidatorSet(read: ReadState, staking: Address, epoch?: bigint): ValidatorSet {
  if (epochLength(read, staking) === 0n)
    throw new ValidatorSetError(
      "NOT_A_NETWORK",
      `the staking contract at ${staking} is not configured as a validator network (configureNetwork)`,
    );
  const newest = readSlot(read, staking, slots.setEpoch(), "u64", 0n);
  const wanted = epoch ?? newest;
  if (wanted > newest || wanted + 1n < newest)
    throw new ValidatorSetError(
      "NO_SUCH_EPOCH",
      `no validator set for epoch ${wanted} in this state (it holds epochs ${newest > 0n ? newest - 1n : 0n}..${newest})`,
    );
  const size = Number(readSlot(read, staking, slots.setSize(wanted), "u32", 0n));
  const validators: SetMember[] = [];
  let totalPower = 0;
  for (let i = 0; i < size; i++) {
    const address = readSlot<Address>(read, staking, slots.setMember(wanted, i), "address", "0x" as Address);
    const power = Number(readSlot(read, staking, slots.setPower(wanted, i), "u64", 0n));
    const blsKey = readSlot(read, staking, slots.blsKey(address), "bytes", new Uint8Array(0));
    validators.push({ address, power, blsKey });
    totalPower += power;
  }
  return { epoch: wanted, validators, totalPower };
}

/**
 * The set that signs `height` and the first height of its epoch (what consensus needs for
 * proposer selection), from a state at or after the end of block epoch·L: the newest set
 * or the one before it.
 */
export function validatorSetAt(
  read: ReadState,
  staking: Address,
  height: bigint,
): { set: ValidatorSet; startHeight: bigint } {
  const length = epochLength(read, staking);
  if (length === 0n)
    throw new ValidatorSetError(
      "NOT_A_NETWORK",
      `the staking contract at ${staking} is not configured as a validator network (configureNetwork)`,
    );
  const epoch = epochOfHeight(height, length);
  return { set: readValidatorSet(read, staking, epoch), startHeight: epoch * length + 1n };
}
