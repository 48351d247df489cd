/** `weft validator list`: an uptime column, as the explorer and weft_validators have. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatorTable } from "../../../src/cli/commands/validator.js";
import type { ValidatorRow } from "../../../src/cli/validatorList.js";
import type { Address } from "../../../src/codec/address.js";

const row = (i: number, uptime: number | null): ValidatorRow => ({
  address: `0x00000000000000000000000000000000000000a${i}` as Address,
  stake: 1_000n * 10n ** 18n,
  power: 500_000_000,
  commissionBps: 1_000,
  jailedUntil: 0n,
  tombstoned: false,
  missedBlocks: 3,
  uptime,
});

describe("weft validator list", () => {
  it("shows each validator's uptime, and - when it was not due to sign", () => {
    const [header, a, b] = validatorTable([row(1, 0.97), row(2, null)]);
    assert.match(header ?? "", /missed +uptime$/);
    assert.match(a ?? "", /0x0+a1 .* 3 +97\.0%$/);
    assert.match(b ?? "", /0x0+a2 .* 3 +-$/);
  });
});
