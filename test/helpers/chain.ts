/** Test helpers: addresses, a plain-Map pre-state, running a block both ways. */

import type { BlockContext } from "../../src/chain/blockContext.js";
import { genesisWrites } from "../../src/chain/genesis.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { decodeU128 } from "../../src/engine/deltas.js";
import { executeSequential } from "../../src/engine/sequential.js";
import type { BlockResult, TxExecutor } from "../../src/engine/types.js";
import { balanceKey, type StateKey, type StateValue } from "../../src/state/keys.js";
import type { StateReader, WriteSet } from "../../src/state/storage.js";

/** A deterministic address for test account number `n`. */
export function account(n: number): Address {
  return `0x${n.toString(16).padStart(40, "0")}`;
}

export const FEE_RECIPIENT = account(0xfee);

export function blockContext(overrides: Partial<BlockContext> = {}): BlockContext {
  return { height: 7n, time: 1_700_000_000n, chainId: 1337n, feeRecipient: FEE_RECIPIENT, ...overrides };
}

/** A mutable pre-state backed by a Map. */
export class MapState implements StateReader {
  readonly entries = new Map<StateKey, StateValue>();
  get(key: StateKey): StateValue | undefined {
    return this.entries.get(key);
  }
  apply(writes: WriteSet): void {
    for (const [k, v] of writes) {
      if (v === null) this.entries.delete(k);
      else this.entries.set(k, v);
    }
  }
  balance(address: Address): bigint {
    return decodeU128(this.entries.get(balanceKey(address)));
  }
}

export function fundedState(balances: Array<[Address, bigint]>): MapState {
  const state = new MapState();
  state.apply(genesisWrites({ balances }));
  return state;
}

/** Runs a block sequentially and applies its write set to `state`. */
export function runBlock(
  executor: TxExecutor<Transaction, Receipt>,
  state: MapState,
  txs: Transaction[],
): BlockResult<Receipt> {
  const result = executeSequential(executor, state, txs);
  state.apply(result.writeSet);
  return result;
}
