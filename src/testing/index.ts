/** `weft/testing`: the in-process chain for contract tests (docs/tutorial.md). */
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
