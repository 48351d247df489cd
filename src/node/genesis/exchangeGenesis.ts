/**
 * The development genesis's second exchange (docs/strategies.md): another factory and
 * router over the same pair code, with a shallower WETH/WUSD pool (`pool2`: 200 WETH :
 * 400,000 WUSD, the main pool's price), so the cross-pool arbitrage bot has two markets to
 * close, and a `flashArbitrage` contract owned by development account 0 for it. Deployed
 * last on a development chain, so no earlier address moves.
 */

import type { SetupRunner } from "../../chain/setupRunner.js";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { decodeReturn } from "../../codec/metadata.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const DEADLINE = 1n << 62n;

export function deploySecondExchange(
  s: SetupRunner,
  c: Record<string, Address>,
  me: Address,
  accounts: Address[],
): void {
  const weth = c.weth as Address;
  const wusd = c.wusd as Address;
  c.factory2 = s.deploy("factory", [keccak256(s.artifact("pair").code)], me);
  c.router2 = s.deploy("router", [c.factory2], me);
  s.run([
    s.tx("token", wusd, me, "approve", [c.router2, MAX]),
    s.tx("token", weth, me, "approve", [c.router2, MAX]),
    s.tx("router", c.router2, me, "addLiquidity", [
      weth,
      wusd,
      200n * E18,
      400_000n * E18,
      0n,
      0n,
      me,
      DEADLINE,
    ]),
  ]);
  const [receipt] = s.run([s.tx("factory", c.factory2, me, "getPair", [weth, wusd])]);
  c.pool2 = decodeReturn(
    s.artifact("factory").metadata,
    "getPair",
    receipt?.output ?? new Uint8Array(0),
  ) as Address;
  const owner = accounts[0];
  // It borrows from either exchange's pool: both factories' pairs may lend to it.
  if (owner !== undefined)
    c.flashArbitrage = s.deploy("flashArbitrage", [[c.factory as Address, c.factory2]], owner);
}
