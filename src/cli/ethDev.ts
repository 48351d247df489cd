/**
 * The Ethereum development accounts `eth0`..`eth9` in the CLI: the secp256k1 keys of the
 * standard test mnemonic (`sdk/ethDevKeys.ts`), which the dev genesis prefunds. They are
 * Ethereum accounts (EOAs), not Weft smart accounts, so what they send is an Ethereum
 * transaction (EIP-1559, signed with the key): a coin transfer goes to its recipient, a call
 * of a WASM contract goes through the host precompile (`HOST_PRECOMPILE`, input
 * `abi.encode(address target, string method, bytes args)`, `chain/wasmFromEvm.ts`) with the
 * EOA as the WASM caller. One call per transaction, and no coin with a WASM call (coin does
 * not cross the precompile): commands that need more say so. `weft deploy --from ethN`
 * deploys WASM code through the precompile's deploy form (target the zero address, method
 * `deploy`, the same arguments as a smart account's deploy call): the EOA is the deployer.
 */
import { createCustomCommon, Mainnet } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../chain/executeEnvelope.js";
import { encodeAbi } from "../codec/abi.js";
import { type Address, contractAddress } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { encodeEthAbi } from "../codec/ethAbi.js";
import { keccak256 } from "../codec/hash.js";
import type { ContractMetadata } from "../codec/metadata.js";
import { commonChainId, EVM_HARDFORK } from "../evm/ethTx.js";
import { HOST_PRECOMPILE } from "../evm/evmRunner.js";
import {
  type DecodedRevert,
  decodeRevertWith,
  formatUnits,
  type Receipt,
  RpcRequestError,
  revertedError,
  TransactionRevertedError,
} from "../sdk/client/index.js";
import { ETH_DEV_ACCOUNTS, type EthDevKey, ethDevKeys } from "../sdk/ethDevKeys.js";
import type { Context } from "./context.js";
import { InsufficientFundsError, UsageError } from "./output.js";

/** JSON-RPC's code for a reverted eth_call or eth_estimateGas (its data is the revert data). */
const EXECUTION_REVERTED_CODE = 3;

/** EVM gas for a WASM call when `eth_estimateGas` gives no answer: only the gas used is paid for. */
export const WASM_CALL_GAS = 3_000_000n;

/** The Ethereum dev account `name` names (`eth0`..`eth9`), or undefined for any other name. */
export function ethDevAccount(name: string | undefined): (EthDevKey & { name: string }) | undefined {
  const m = name === undefined ? null : /^eth(\d+)$/.exec(name);
  if (m === null) return undefined;
  const index = Number(m[1]);
  if (index >= ETH_DEV_ACCOUNTS)
    throw new UsageError(
      `there are ${ETH_DEV_ACCOUNTS} Ethereum dev accounts, eth0 to eth${ETH_DEV_ACCOUNTS - 1}`,
    );
  return { name: `eth${index}`, ...(ethDevKeys(index + 1)[index] as EthDevKey) };
}

/** Every Ethereum dev account with its address (for `weft keys list`). */
export function ethDevAccounts(): Array<{ name: string; address: Address }> {
  return ethDevKeys(ETH_DEV_ACCOUNTS).map((k, i) => ({ name: `eth${i}`, address: k.address }));
}

/** The refusal of a command that sends something an Ethereum account cannot (several calls, a deployment...). */
export function notForEthAccount(name: string, what: string): UsageError {
  return new UsageError(`${name} is an Ethereum dev account (an EOA, not a Weft smart account): ${what}`, [
    "weft send, weft transfer and weft tx accept eth0..eth9; for the rest use devN or a key name",
  ]);
}

export interface EoaCall {
  target: Address;
  /** "" for a plain coin transfer. */
  method: string;
  args?: Uint8Array;
  value?: bigint;
  /** Metadata to decode a revert with, beyond what the client knows. */
  decodeWith?: readonly ContractMetadata[];
  /** Call data for an EVM contract at `target` (sent to it directly, `method` only names it). */
  evmData?: Uint8Array;
  /** Decodes revert data (an EVM contract's ABI); else `decodeWith` and the client's metadata. */
  decodeRevert?: (output: string) => DecodedRevert | undefined;
}

const quantity = (n: bigint) => `0x${n.toString(16)}`;

/** Sends `call` from Ethereum dev account `from` as an EIP-1559 transaction and waits for its receipt. */
export async function sendFromEoa(
  ctx: Context,
  from: EthDevKey & { name: string },
  call: EoaCall,
): Promise<Receipt> {
  const value = call.value ?? 0n;
  const evm = call.evmData !== undefined;
  const coin = call.method === "" && !evm;
  if (!coin && !evm && value > 0n)
    throw notForEthAccount(
      from.name,
      "coin does not cross into a WASM call from the EVM; send the coin first with weft send",
    );
  const to = coin || evm ? call.target : HOST_PRECOMPILE;
  const data =
    call.evmData ??
    (coin
      ? new Uint8Array(0)
      : encodeEthAbi(
          ["address", "string", "bytes"],
          [call.target, call.method, call.args ?? new Uint8Array(0)],
        ));
  const decode = (output: string) =>
    call.decodeRevert?.(output) ??
    decodeRevertWith([...(call.decodeWith ?? []), ...client.metadata], output as `0x${string}`);
  const request = { from: from.address, to, value: quantity(value), data: `0x${toHex(data)}` };
  const client = ctx.client;
  const [chainId, nonce, gasPrice, tip] = await Promise.all([
    client.chainId(),
    client.request<string>("eth_getTransactionCount", [from.address, "pending"]),
    client.request<string>("eth_gasPrice", []),
    client.request<string>("eth_maxPriorityFeePerGas", []),
  ]);
  // The estimate simulates the transaction: a revert there is refused before sending, with
  // its reason, as the dev accounts' sends are (exit 4); a sender who cannot pay, exit 3.
  let gasLimit: bigint;
  try {
    gasLimit = (BigInt(await client.request<string>("eth_estimateGas", [request])) * 6n) / 5n;
  } catch (error) {
    if (!(error instanceof RpcRequestError)) throw error;
    if (error.code === EXECUTION_REVERTED_CODE) {
      const output = typeof error.data === "string" ? error.data : "0x";
      throw new TransactionRevertedError({
        status: "revert",
        phase: "estimate",
        output,
        revert: decode(output),
        details: [`sender: ${from.name} (${from.address})`, `call: ${describe(call)}`],
      });
    }
    if (/^insufficient funds/.test(error.rpcMessage))
      throw new InsufficientFundsError(`insufficient funds: ${error.rpcMessage}`, [
        `sender: ${from.name} (${from.address})`,
        `amount: ${formatUnits(value)} coin`,
      ]);
    if (coin || evm) throw error;
    gasLimit = WASM_CALL_GAS;
  }
  const common = createCustomCommon({ chainId: commonChainId(chainId) }, Mainnet, { hardfork: EVM_HARDFORK });
  const maxFee = BigInt(gasPrice) * 2n;
  const balance = BigInt(await client.request<string>("eth_getBalance", [from.address, "pending"]));
  if (balance < value + gasLimit * maxFee)
    throw new InsufficientFundsError(
      `insufficient funds: ${from.name} holds ${formatUnits(balance)} coin; ${formatUnits(value)} coin with a fee of up to ${formatUnits(gasLimit * maxFee)} coin needs ${formatUnits(value + gasLimit * maxFee)} coin`,
      [
        `sender: ${from.address}`,
        `fee: up to ${formatUnits(gasLimit * maxFee)} coin (gas limit ${gasLimit} × max fee ${maxFee})`,
      ],
    );
  const tx = createFeeMarket1559Tx(
    {
      nonce: BigInt(nonce),
      to,
      value,
      data,
      gasLimit,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: BigInt(tip) < maxFee ? BigInt(tip) : maxFee,
    },
    { common },
  ).sign(from.privateKey);
  const hash = await client.request<`0x${string}`>("eth_sendRawTransaction", [`0x${toHex(tx.serialize())}`]);
  const receipt = await client.waitForReceipt(hash);
  // Mined but failed (the state moved between the estimate and the block): exit 4, decoded.
  if (receipt.status !== "success")
    throw call.decodeRevert === undefined
      ? revertedError(client, receipt, call.decodeWith)
      : new TransactionRevertedError({
          status: receipt.status,
          phase: "receipt",
          output: receipt.output,
          revert: decode(receipt.output),
          hash: receipt.txHash,
          receipt,
          details: [`block: ${receipt.blockNumber}`, `gas used: ${receipt.gasUsed}`, `fee: ${receipt.fee}`],
        });
  return receipt;
}

function describe(call: EoaCall): string {
  return call.method === "" && call.evmData === undefined
    ? `send coin to ${call.target}`
    : `${call.target}.${call.method}`;
}

/**
 * Deploys WASM `code` from Ethereum dev account `from` (the host precompile's deploy form)
 * with init arguments `initArgs` (encoded) and `salt`; resolves to the receipt and the new
 * contract's address (derived as every deployment's: `codec/address.ts` `contractAddress`).
 */
export async function deployFromEoa(
  ctx: Context,
  from: EthDevKey & { name: string },
  code: Uint8Array,
  initArgs: Uint8Array,
  salt: Uint8Array,
): Promise<{ receipt: Receipt; address: Address }> {
  const receipt = await sendFromEoa(ctx, from, {
    target: DEPLOY_TARGET,
    method: DEPLOY_METHOD,
    args: encodeAbi(DEPLOY_ARGS, [code, initArgs, salt]),
  });
  return { receipt, address: contractAddress(from.address, salt, keccak256(code), initArgs) };
}
