/** Test setup for the options contract and the option vaults: WETH, WUSD, an oracle and the options contract. */
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export const E18 = 10n ** 18n;
export const MAX = (1n << 128n) - 1n;
export const owner = account(1);

export interface OptionsSetup {
  chain: TestChain;
  weth: Contract;
  wusd: Contract;
  oracle: Contract;
  options: Contract;
  /** Posts the oracle prices (quote units × 1e18 per unit): WUSD at 1, WETH at `wethPrice`. */
  price(wethPrice: bigint): void;
  /** Moves the clock to `time` (a new block). */
  at(time: bigint): void;
  /** Gives `who` tokens of both kinds and approves `spender` for them. */
  fund(who: Address, spender: Address, amount?: bigint): void;
  /** The receipt's events emitted by `contract` alone. */
  eventsOf(contract: Contract, receipt: Parameters<Contract["events"]>[0]): ReturnType<Contract["events"]>;
}

export function optionsSetup(accounts = 12): OptionsSetup {
  const chain = new TestChain(accounts);
  const weth = chain.deploy("token", ["Weft Ether", "WETH", 18, 10n ** 36n, owner]);
  const wusd = chain.deploy("token", ["Weft USD", "WUSD", 18, 10n ** 36n, owner]);
  const oracle = chain.deploy("oracle", [10n ** 9n]);
  const options = chain.deploy("options", [wusd.address, oracle.address]);
  return {
    chain,
    weth,
    wusd,
    oracle,
    options,
    price(wethPrice) {
      oracle.send(owner, "setPrice", [wusd.address, E18]);
      oracle.send(owner, "setPrice", [weth.address, wethPrice]);
    },
    at(time) {
      chain.setBlock({ time, height: chain.block.height + 1n });
    },
    fund(who, spender, amount = 10n ** 30n) {
      for (const token of [weth, wusd]) {
        if (who !== owner) token.send(owner, "transfer", [who, amount]);
        token.send(who, "approve", [spender, MAX]);
      }
    },
    eventsOf(contract, receipt) {
      return contract.events({
        ...receipt,
        events: receipt.events.filter((e) => e.address === contract.address),
      });
    },
  };
}
