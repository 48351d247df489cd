/**
 * A block's rewards (the block reward minted and the fees collected, which the protocol's
 * end-of-block step has already put in this contract) go to the validators who earned them:
 *
 * - the proposer gets `PROPOSER_BONUS_BPS` of the total;
 * - the rest is split among the validators that signed the certified block's commit
 *   certificate, in proportion to their voting power (rounded down);
 * - what rounding leaves over goes to the proposer too.
 *
 * Each validator's part is then split by its commission and reward per share
 * (`creditReward`). Jailed or tombstoned validators earn nothing: their part stays with
 * the others; if nobody can be paid (a jailed proposer and no signer), the whole amount is
 * carried to the next block. Every unit that comes in is credited or carried: nothing is
 * minted by rounding, nothing lost.
 */
import { Address, Fields, StorageValue, U128 } from "../../sdk/index";
import { creditReward, V_REGISTERED, validators } from "./pools";
import { eligible } from "./validatorSet";

export const PROPOSER_BONUS_BPS: u64 = 500;
/** Rewards no validator could be paid yet: added to the next block's. */
export const carriedSlot = new StorageValue<U128>("carried");

/** The signers of a certificate who may be paid, with their voting power. */
export class Signers {
  list: Address[] = [];
  fields: Fields[] = [];
  powers: u64[] = [];
  total: u64 = 0;

  add(v: Address, vf: Fields, power: u64): void {
    this.list.push(v);
    this.fields.push(vf);
    this.powers.push(power);
    this.total += power;
  }
}

function payable(v: Address): Fields | null {
  const vf = new Fields(validators.keyOf(v));
  if (!vf.get<bool>(V_REGISTERED, false) || !eligible(vf)) return null;
  return vf;
}

/** Spreads `amount` plus what was carried; returns what is carried to the next block. */
export function distribute(proposer: Address, signers: Signers, amount: U128): U128 {
  const total = amount.add(carriedSlot.get(U128.Zero));
  const proposerFields = payable(proposer);
  const bonus =
    proposerFields === null
      ? U128.Zero
      : total.mulDiv(U128.fromU64(PROPOSER_BONUS_BPS), U128.fromU64(10_000));
  const pool = total.sub(bonus);
  let paid = U128.Zero;
  if (signers.total > 0) {
    const totalPower = U128.fromU64(signers.total);
    for (let i = 0; i < signers.list.length; i++) {
      const share = pool.mulDiv(U128.fromU64(signers.powers[i]), totalPower);
      if (share.isZero()) continue;
      creditReward(signers.list[i], signers.fields[i], share);
      paid = paid.add(share);
    }
  }
  let rest = total.sub(paid);
  if (proposerFields !== null && !rest.isZero()) {
    creditReward(proposer, proposerFields, rest);
    rest = U128.Zero;
  }
  carriedSlot.set(rest);
  return rest;
}
