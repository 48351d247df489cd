/**
 * `eth_sendTransaction` (dev mode): an unsigned Ethereum transaction from an impersonated
 * address (`anvil_impersonateAccount` / `dev_impersonateAccount`), as Anvil and Hardhat take
 * it, run at once in a block of its own (`dev/impersonatedEth.ts`); the answer is its hash,
 * and its receipt is read as any other. Missing fields are filled as a wallet would: the
 * next nonce, the gas `eth_estimateGas` answers, a max fee of twice the next base fee plus
 * the max priority fee (default: the suggested one); `gasPrice` alone sets both fees. The
 * node holds no keys, so from any other address it answers -32041 (dev mode) or geth's
 * -32000 "unknown account" (dev mode off).
 */
import { evmBaseFee } from "../../chain/evmBlock.js";
import { EVM_MAX_TX_GAS } from "../../chain/executeEthTx.js";
import type { Address } from "../../codec/address.js";
import type { EthTxFields } from "../../evm/ethTx.js";
import type { ChainNode } from "../chainNode.js";
import { DevBlockError } from "../dev/devBlock.js";
import { impersonatedEthTx, mineImpersonatedEth } from "../dev/impersonatedEth.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { evmCallJob } from "./ethCallParams.js";
import { suggestedTip } from "./ethTxMethods.js";
import { amount, object, positional, u64 } from "./params.js";
import { runReadOnly } from "./stateMethods.js";

const USAGE =
  "[{ from, to?, data?, value?, gas?, nonce?, maxFeePerGas?, maxPriorityFeePerGas?, gasPrice?, accessList? }]";
const NOT_IMPERSONATED = -32041;
const TX_INVALID = -32044;

/** Off dev mode: the node has no keys to send with (geth's answer). */
export const ethSendTransactionOff: RpcHandler = () => {
  throw new RpcError(
    -32000,
    "unknown account: this node holds no keys; sign the transaction in the client and send it with eth_sendRawTransaction",
  );
};

export function ethSendTransaction(node: ChainNode, impersonated: ReadonlySet<string>): RpcHandler {
  return async (params, ctx) => {
    const [req] = positional(params, 1, 1, USAGE);
    const o = object(req, "transaction");
    if (o.from === undefined || o.from === null)
      throw invalidParams("from: required (the impersonated address)");
    const job = evmCallJob(req);
    const from = job.from;
    const optional = (v: unknown) => v === undefined || v === null;
    const gasPrice = optional(o.gasPrice) ? undefined : amount(o.gasPrice, "gasPrice");
    const tip = optional(o.maxPriorityFeePerGas)
      ? (gasPrice ?? suggestedTip(node))
      : amount(o.maxPriorityFeePerGas, "maxPriorityFeePerGas");
    const givenMax = optional(o.maxFeePerGas) ? gasPrice : amount(o.maxFeePerGas, "maxFeePerGas");
    const nonce = optional(o.nonce) ? undefined : u64(o.nonce, "nonce");
    if (job.gas !== undefined && job.gas > EVM_MAX_TX_GAS)
      throw invalidParams(`gas: at most ${EVM_MAX_TX_GAS}, got ${job.gas}`);
    // Parameters first, then the state of things.
    if (!impersonated.has(from))
      throw new RpcError(
        NOT_IMPERSONATED,
        `${from} is not impersonated: call anvil_impersonateAccount first, or sign the transaction and use eth_sendRawTransaction`,
        { reason: "NOT_IMPERSONATED" },
      );
    const gasLimit = job.gas ?? BigInt(String(await runReadOnly(node, ctx, { ...job, estimate: true })));
    const produced = await node.exclusive(() => {
      const fields: EthTxFields = {
        type: 2,
        chainId: node.options.chainId,
        nonce: nonce ?? node.nextSequence(from as Address, 0n),
        gasLimit,
        value: job.value,
        data: job.data,
        accessList: job.accessListGiven ?? [],
        maxFeePerGas: givenMax ?? evmBaseFee(node.nextBlock().baseFee ?? 0n) * 2n + tip,
        maxPriorityFeePerGas: tip,
        ...(job.to === undefined ? {} : { to: job.to }),
      };
      try {
        return mineImpersonatedEth(node, impersonatedEthTx(from, fields));
      } catch (error) {
        if (error instanceof DevBlockError)
          throw new RpcError(TX_INVALID, `the transaction is invalid: ${error.message}`, {
            reason: "TX_INVALID",
          });
        throw error;
      }
    });
    return produced.block.txHashes[0];
  };
}
