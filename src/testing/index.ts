/** `@weft-chain/weft/testing`: the in-process chain for contract tests (docs/tutorial.md). */

export type { Address } from "../codec/address.js";
export {
  createTestChain,
  type SendOptions,
  TestChain,
  TestChainError,
  type TestChainOptions,
  TestContract,
  type TestEvent,
  type TxResult,
} from "./testChain.js";
