/** `weft node --validator-key`'s banner: a key outside the active set is not called "a validator" that votes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatorRole } from "../../../src/cli/networkBanner.js";
import type { Address } from "../../../src/codec/address.js";
import { blsKey } from "../../helpers/validators.js";

const member = (i: number) => ({
  blsKey: blsKey(i).publicKey,
  address: `0x00000000000000000000000000000000000000a${i}` as Address,
});

describe("network banner: the validator's role", () => {
  it("names the rank of a key in the active set, and says plainly when it is not in it", () => {
    const set = [member(0), member(1)];
    assert.match(
      validatorRole(blsKey(1).publicKey, "k1.json", set),
      /^validator in the active set, rank 2 of 2 by stake \(operator 0x0+a1; BLS key 0x[0-9a-f]{96}, from k1\.json\)$/,
    );
    const outside = validatorRole(blsKey(2).publicKey, "k2.json", set);
    assert.match(outside, /NOT in the active set \(2 validators\): it does not vote/);
    assert.doesNotMatch(outside, /^validator \(/);
    assert.match(validatorRole(blsKey(2).publicKey, "k2.json", undefined), /the active set is unknown/);
  });
});
