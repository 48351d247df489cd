/**
 * The SDK's sale settings (src/sdk/client/saleCreate.ts): `checkSaleParams` refuses what the
 * sale's `init` refuses, and values past the types `init` stores them in; `saleInitArgs` keeps
 * the order; `salePriceAt` falls as the contract's `priceAt` does (checked against the
 * contract in test/unit/cli/saleCreateCli.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import {
  checkSaleParams,
  type SaleParams,
  SaleParamsError,
  saleInitArgs,
  salePriceAt,
} from "../../../src/sdk/client/index.js";

const E18 = 10n ** 18n;
const NOW = 1_800_000_000n;
const good: SaleParams = {
  token: "0x00000000000000000000000000000000000000a1" as Address,
  payToken: "0x00000000000000000000000000000000000000b2" as Address,
  recipient: "0x00000000000000000000000000000000000000c3" as Address,
  supply: 10n * E18,
  startPrice: 3_000n * E18,
  endPrice: 1_000n * E18,
  startTime: NOW,
  endTime: NOW + 3_600n,
  softCap: 1_000n * E18,
  hardCap: 30_000n * E18,
  buyerCap: 10_000n * E18,
};

const refused = (change: Partial<SaleParams>, pattern: RegExp) =>
  assert.throws(
    () => checkSaleParams({ ...good, ...change }, NOW),
    (e: unknown) => e instanceof SaleParamsError && e.code === "BAD_PARAMS" && pattern.test(e.message),
  );

describe("sale settings before a sale is created", () => {
  it("accepts a Dutch allowlisted sale and gives init's arguments in order", () => {
    const root = `0x${"ab".repeat(32)}`;
    const args = saleInitArgs({ ...good, allowlistRoot: root }, NOW);
    assert.equal(args.length, 15);
    assert.deepEqual(args.slice(0, 11), [
      good.token,
      good.payToken,
      good.recipient,
      good.supply,
      good.startPrice,
      good.endPrice,
      good.startTime,
      good.endTime,
      good.softCap,
      good.hardCap,
      good.buyerCap,
    ]);
    assert.equal(Buffer.from(args[11] as Uint8Array).toString("hex"), "ab".repeat(32));
    assert.deepEqual(args.slice(12), ["0x0000000000000000000000000000000000000000", 0n, 0n]);
  });

  it("refuses what init refuses, and values past their types", () => {
    refused({ endPrice: 4_000n * E18 }, /the price rises/);
    refused({ payToken: good.token }, /the sale token is the payment token/);
    refused({ supply: 0n }, /the supply is zero/);
    refused({ endPrice: 0n }, /a price is zero/);
    refused({ endTime: NOW }, /ends before it starts|has ended already/);
    refused({ startTime: NOW - 7_200n, endTime: NOW }, /has ended already/);
    refused({ hardCap: 999n }, /the hard cap is zero or below the soft cap/);
    refused({ buyerCap: 0n }, /the per-buyer cap is zero/);
    refused({ supply: 1n << 128n }, /supply .* is not between 0 and 2\^128 - 1/);
    refused({ endTime: 1n << 64n }, /endTime .* below 2\^64/);
    refused({ allowlistRoot: "0x12" }, /the allowlist root must be 0x \+ 64 hex digits/);
    refused({ vesting: { contract: good.recipient, cliff: 10n, duration: 5n } }, /a cliff within it/);
    refused({ vesting: { contract: good.recipient, cliff: 0n, duration: 0n } }, /needs a duration/);
    refused({ recipient: "0x0000000000000000000000000000000000000000" as Address }, /zero address/);
  });

  it("prices a Dutch sale linearly, rounding the fall down as the contract does", () => {
    assert.equal(salePriceAt(good, NOW - 1n), 3_000n * E18);
    assert.equal(salePriceAt(good, NOW), 3_000n * E18);
    assert.equal(salePriceAt(good, NOW + 1_800n), 2_000n * E18);
    assert.equal(salePriceAt(good, NOW + 3_600n), 1_000n * E18);
    assert.equal(salePriceAt(good, NOW + 1n), 3_000n * E18 - (2_000n * E18) / 3_600n);
    assert.equal(salePriceAt({ ...good, endPrice: good.startPrice }, NOW + 99n), 3_000n * E18);
  });
});
