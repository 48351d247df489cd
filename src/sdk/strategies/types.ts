/**
 * What every strategy of the cash-flow report gives back: its value at each step of the
 * simulated market, the value of simply holding what it started with, and its costs.
 * All values are in WUSD (the dev chain's dollar; the chain's coin is valued at 1 WUSD).
 */
export interface StrategyRun {
  /** Short name (`lp`, `dca`...), used in the JSON and the command line. */
  name: string;
  title: string;
  /** One sentence: what it does and where its cash flow comes from. */
  description: string;
  /** Value at each step of the market, WUSD. */
  values: number[];
  /** Value of the starting holdings at each step, WUSD (for arbitrage, which starts with nothing: 0). */
  hold: number[];
  costs: {
    /** Gas of every transaction, WUSD. */
    gas: number;
    /** Pool fees paid on the strategy's own swaps, WUSD. */
    swapFees: number;
  };
  /** Counters and figures particular to the strategy (fees earned, rounds, trades...). */
  stats: Record<string, number | string>;
}

/** The capital and costs every strategy shares. */
export interface RunSettings {
  /** Starting capital, WUSD (default 100,000). */
  capital: number;
  /** Gas price in coin per gas unit (default 1e-9: 1 gwei-like), so a 500k-gas swap costs 0.0005 WUSD. */
  gasPrice: number;
}

/** Gas a transaction of each kind uses on a Weft node (measured ranges in the comments of each strategy). */
export const GAS = {
  swap: 500_000,
  claim: 300_000,
  supply: 400_000,
  delegate: 300_000,
  arbitrage: 1_200_000,
  option: 600_000,
} as const;
