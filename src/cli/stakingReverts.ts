/**
 * The staking contract's refusals that carry a time, said plainly: when jail, unbonding or the
 * commission's change-rate limit ends, as a UTC time and how long from now
 * (readableReverts.ts turns the times; this names what they mean). Used by `weft validator …`
 * and by `weft tx staking …`.
 */
import type { Address } from "../codec/address.js";
import type { RevertHelp } from "./readableReverts.js";

/** The staking contract's waits said plainly: when jail, unbonding or a commission change's wait ends, in UTC and from now. */
export function stakingRevertHelp(sender: Address): RevertHelp {
  return {
    sender,
    message: (revert, args) => {
      switch (revert.name) {
        case "StillJailed":
          return `still jailed until ${args.until}: unjail then`;
        case "StillUnbonding":
          return `still unbonding: withdrawable at ${args.completesAt}`;
        case "CommissionChangeTooSoon":
          return `the commission changes at most once a day: the next change is possible at ${args.next}`;
        default:
          return undefined;
      }
    },
  };
}
