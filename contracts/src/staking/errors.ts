// Errors of the staking contract (read by the build).
import { Address, U128 } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
export declare function AlreadyRegistered(validator: Address): void;
export declare function NotRegistered(validator: Address): void;
/**
 * The registry lists at most 128 validators: one enters a full registry only with more bonded
 * stake (`stake`) than the least listed one has (`least`; a tombstoned one counts as none).
 */
export declare function TooManyValidators(least: U128, stake: U128): void;
export declare function InvalidCommission(bps: u32): void;
/** A slashing fraction above 1 (1e18). */
export declare function InvalidFraction(fraction: U128): void;
export declare function ZeroAmount(): void;
export declare function InsufficientShares(balance: U128, needed: U128): void;
export declare function Locked(until: u64, now: u64): void;
export declare function StillUnbonding(completesAt: u64, now: u64): void;
export declare function NothingToWithdraw(): void;
export declare function TransferFailed(to: Address, amount: U128): void;
/** The validator was tombstoned for double signing: it can never unjail or register again. */
export declare function Tombstoned(validator: Address): void;
/** A BLS public key must be 48 bytes (compressed G1). */
export declare function InvalidBlsKey(length: u32): void;
export declare function BlsKeyInUse(validator: Address): void;
/** The proof of possession is not the key's signature of this chain's and caller's message. */
export declare function InvalidProofOfPossession(): void;
export declare function CommissionChangeTooLarge(from: u32, to: u32, maxChange: u32): void;
export declare function CommissionChangeTooSoon(next: u64, now: u64): void;
/** On a validator network stake leaves a validator only by unbonding. */
export declare function RedelegationDisabled(): void;
/** Only the protocol's end-of-block step may call this. */
export declare function NotProtocol(caller: Address): void;
export declare function NetworkAlreadyConfigured(): void;
export declare function NetworkNotConfigured(): void;
export declare function InvalidParameter(name: string, value: u64): void;
export declare function NotJailed(validator: Address): void;
export declare function StillJailed(until: u64, now: u64): void;
/** Evidence older than the evidence age limit (blocks) cannot slash any more. */
export declare function EvidenceTooOld(infractionHeight: u64, height: u64): void;
/** The signer bitmap has `length` bytes; the certified block's set needs `expected`. */
export declare function InvalidSigners(length: u32, expected: u32): void;
/** A delegation may have at most `max` unbonding entries at once (withdraw, or wait a block to add to one). */
export declare function TooManyUnbondings(max: u32): void;
/** Only the pending owner (named by `transferOwnership`) may accept the ownership. */
export declare function NotPendingOwner(caller: Address): void;
/** The unbonding period must lie between 0 and `max` seconds. */
export declare function InvalidUnbondingPeriod(seconds: u64, max: u64): void;
/** Coin (`value`) was sent with a method that takes none: only delegate, delegateLocked and depositReward take coin. */
export declare function ValueNotAccepted(value: U128): void;
