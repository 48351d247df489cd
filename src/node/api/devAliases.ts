/**
 * The names Anvil and Hardhat give dev mode's methods (`anvil_*`, `hardhat_*`, `evm_*`), which
 * viem's test client, Foundry's `cast rpc` and Hardhat's network helpers call, mapped onto
 * the `dev_` methods (docs/rpc.md "Dev mode"), impersonation included (`eth_sendTransaction`
 * from an impersonated address: `ethSendTransaction.ts`): the same parameters (quantities as 0x-hex),
 * the same checks and errors, and the answers those tools expect (`null` from `anvil_*`,
 * `true` from `hardhat_*`, quantities from `evm_*`). Storage set through an alias is always an
 * EVM slot (`anvil_setStorageAt` on an address without code prepares an EVM contract's
 * storage). Outside dev mode each answers `DEV_MODE_OFF` (-32040) naming itself.
 */
import type { ChainNode } from "../chainNode.js";
import { evmStorageWrites } from "../dev/stateEdits.js";
import { RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { commitEdit, devOff, evmWord } from "./devMethods.js";
import { quantity } from "./ethShapes.js";
import { address, hash, object, positional, u64 } from "./params.js";

type Answer = (result: unknown) => unknown;
const asNull: Answer = () => null;
const asTrue: Answer = () => true;
const asQuantity: Answer = (result) => quantity(BigInt(result as number));

export function devAliases(node: ChainNode, dev: Record<string, RpcHandler>): Record<string, RpcHandler> {
  const aliases: Record<string, RpcHandler> = {};
  /** `name` answers as `dev_<target>` does, its result turned by `answer`. */
  const alias = (name: string, target: string, answer: Answer) => {
    aliases[name] = async (params, ctx) => {
      if (node.options.dev !== true) throw devOff(name);
      const handler = dev[target] as RpcHandler;
      return answer(await handler(params, ctx));
    };
  };
  for (const [family, answer] of [
    ["anvil", asNull],
    ["hardhat", asTrue],
  ] as const) {
    alias(`${family}_setBalance`, "dev_setBalance", answer);
    alias(`${family}_setCode`, "dev_setCode", answer);
    alias(`${family}_setNonce`, "dev_setNonce", answer);
    alias(`${family}_mine`, "dev_mine", answer);
    alias(`${family}_impersonateAccount`, "dev_impersonateAccount", answer);
    alias(`${family}_stopImpersonatingAccount`, "dev_stopImpersonatingAccount", answer);
    aliases[`${family}_setStorageAt`] = async (params) => {
      const name = `${family}_setStorageAt`;
      if (node.options.dev !== true) throw devOff(name);
      const [who, slot, value] = positional(params, 3, 3, "[address, slot, value]");
      const a = address(who, "address");
      await commitEdit(node, { writes: evmStorageWrites(a, evmWord(slot, "slot"), evmWord(value, "value")) });
      return true; // both answer true
    };
  }
  alias("anvil_setAutomine", "dev_setAutomine", asNull);
  alias("evm_setAutomine", "dev_setAutomine", asTrue);
  alias("evm_increaseTime", "dev_increaseTime", asQuantity);
  alias("evm_setNextBlockTimestamp", "dev_setNextBlockTimestamp", asNull);
  alias("evm_snapshot", "dev_snapshot", asQuantity);
  alias("evm_revert", "dev_revert", (reverted) => reverted);
  /** [timestamp?] or [{ timestamp?, blocks? }] → "0x0": mines blocks (the first at that time). */
  aliases.evm_mine = async (params, ctx) => {
    if (node.options.dev !== true) throw devOff("evm_mine");
    const [given] = positional(params, 0, 1, "[timestamp?] or [{ timestamp?, blocks? }]");
    let timestamp: unknown = given;
    let blocks: bigint | undefined;
    if (typeof given === "object" && given !== null) {
      const o = object(given, "options");
      timestamp = o.timestamp ?? undefined;
      if (o.blocks !== undefined && o.blocks !== null) blocks = u64(o.blocks, "options.blocks");
    }
    if (timestamp !== undefined && timestamp !== null)
      await (dev.dev_setNextBlockTimestamp as RpcHandler)([timestamp], ctx);
    await (dev.dev_mine as RpcHandler)(blocks === undefined ? [] : [quantity(blocks)], ctx);
    return "0x0";
  };
  for (const name of ["anvil_getAutomine", "hardhat_getAutomine"])
    aliases[name] = (params) => {
      if (node.options.dev !== true) throw devOff(name);
      positional(params, 0, 0, "[]");
      return node.automine;
    };
  for (const [family, answer] of [
    ["anvil", asNull],
    ["hardhat", asTrue],
  ] as const) {
    /** [hash] → drops a waiting transaction from the pool (nothing if it is not there). */
    aliases[`${family}_dropTransaction`] = (params) => {
      const name = `${family}_dropTransaction`;
      if (node.options.dev !== true) throw devOff(name);
      const [given] = positional(params, 1, 1, "[transactionHash]");
      node.mempool.removeIncluded([hash(given, "transactionHash")]);
      return answer(null);
    };
  }
  // Methods of Anvil and Hardhat with no counterpart here: "method not found" naming the nearest.
  for (const [name, instead] of UNSUPPORTED) {
    aliases[name] = () => {
      throw new RpcError(-32601, `the method ${name} is not supported here: ${instead}`, { method: name });
    };
  }
  return aliases;
}

/** Dev methods of Anvil and Hardhat that Weft does not have, with what to use instead. */
const UNSUPPORTED: ReadonlyArray<[string, string]> = [
  [
    "anvil_setNextBlockBaseFeePerGas",
    "the base fee follows EIP-1559 from the node's minimum (--min-base-fee); send with a higher maxFeePerGas",
  ],
  [
    "hardhat_setNextBlockBaseFeePerGas",
    "the base fee follows EIP-1559 from the node's minimum (--min-base-fee); send with a higher maxFeePerGas",
  ],
  [
    "evm_setBlockGasLimit",
    "the block gas limit is the node's setting (--block-gas-limit, in Weft gas: the EVM's is it / 500); restart the node with it",
  ],
  [
    "anvil_setBlockGasLimit",
    "the block gas limit is the node's setting (--block-gas-limit); restart the node with it",
  ],
  [
    "anvil_reset",
    "dev mode has evm_snapshot / evm_revert; to start over, restart the node with a fresh --data-dir",
  ],
  [
    "hardhat_reset",
    "dev mode has evm_snapshot / evm_revert; to start over, restart the node with a fresh --data-dir",
  ],
  ["anvil_setCoinbase", "the fee recipient is the node's setting (--fee-recipient)"],
  ["hardhat_setCoinbase", "the fee recipient is the node's setting (--fee-recipient)"],
  ["anvil_setMinGasPrice", "the minimum is the node's --min-base-fee setting"],
  ["hardhat_setMinGasPrice", "the minimum is the node's --min-base-fee setting"],
  ["evm_setIntervalMining", "use evm_setAutomine false and the node's --block-time-ms, or anvil_mine"],
  ["anvil_setIntervalMining", "use evm_setAutomine false and the node's --block-time-ms, or anvil_mine"],
  ["anvil_dumpState", "evm_snapshot keeps a state to go back to; the data directory is the whole state"],
  ["anvil_loadState", "evm_snapshot / evm_revert; the data directory is the whole state"],
];
