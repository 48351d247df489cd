/**
 * Signed WUSD transfers from a dev node's genesis accounts, for benches that load a node over
 * RPC (load, blockStall): the senders with their next nonces, the node's gas estimate for one
 * transfer, and the transfers signed ahead of time (raw hex and hash).
 */
import { encodeTx, signingHash, type TxEnvelope, txHash } from "../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { devSigner, type GenesisInfo } from "../../src/node/genesis/genesis.js";
import { rpc } from "../../src/sdk/rpcClient.js";

export interface Sender {
  address: Address;
  signer: ReturnType<typeof devSigner>;
}

/** Genesis dev accounts `0..count-1` and each one's next nonce on the node at `url`. */
export async function devSenders(
  url: string,
  genesis: GenesisInfo,
  count: number,
): Promise<{ senders: Sender[]; next: Map<Address, bigint> }> {
  const senders = genesis.accounts
    .slice(0, count)
    .map((a, i) => ({ address: a.address as Address, signer: devSigner(i) }));
  const next = new Map<Address, bigint>();
  for (const s of senders) next.set(s.address, BigInt(await rpc<string>(url, "weft_nextNonce", [s.address])));
  return { senders, next };
}

/** The gas limit a wallet would sign one transfer with: the node's estimate (with its margin). */
export async function transferGasLimit(
  url: string,
  wusd: Address,
  sender: Sender,
  to: Address,
): Promise<bigint> {
  const { gasLimit } = await rpc<{ gasLimit: number }>(url, "weft_estimateGas", [
    {
      sender: sender.address,
      calls: [
        { target: wusd, method: "transfer", args: `0x${toHex(encodeAbi(["address", "u128"], [to, 1n]))}` },
      ],
    },
  ]);
  return BigInt(gasLimit);
}

/**
 * The most a pre-signed transfer pays per gas unit. Like a wallet's, with headroom: the base
 * fee rises by up to 1/8 per full block, and a load run fills blocks for seconds, so a cap at
 * the starting base fee (10 until session 19) had every transfer signed for later rates refused
 * ("max fee 10 is below the block's base fee 11") and the load bench measured the refusals,
 * not the node. A transfer pays the block's base fee plus its priority fee, not this cap.
 */
const MAX_FEE = 1_000_000n;

/**
 * `count` transfers of 1 WUSD unit, the i-th from sender i mod senders.length (nonces taken
 * from and advanced in `next`) to `to(i)`, signed: raw hex and hash each.
 */
export function signedTransfers(options: {
  chainId: bigint;
  wusd: Address;
  senders: readonly Sender[];
  next: Map<Address, bigint>;
  gasLimit: bigint;
  count: number;
  to: (i: number) => Address;
}): Array<{ hash: string; hex: string }> {
  const { chainId, wusd, senders, next, gasLimit, count, to } = options;
  const raws: Array<{ hash: string; hex: string }> = [];
  for (let i = 0; i < count; i++) {
    const s = senders[i % senders.length] as Sender;
    const sequence = next.get(s.address) as bigint;
    next.set(s.address, sequence + 1n);
    const env: TxEnvelope = {
      chainId,
      sender: s.address,
      nonceKey: 0n,
      nonceSequence: sequence,
      gasLimit,
      maxFee: MAX_FEE,
      priorityFee: 1n,
      calls: [
        { target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [to(i), 1n]), value: 0n },
      ],
      auth: new Uint8Array(0),
    };
    env.auth = s.signer.sign(signingHash(env));
    raws.push({ hash: `0x${toHex(txHash(env))}`, hex: `0x${toHex(encodeTx(env))}` });
  }
  return raws;
}

/** Recipients of a bench's transfers from `base` on: a fresh address per transfer (no two credit the same balance). */
export function recipientsFrom(base: number): (i: number) => Address {
  return (i) => `0x${(base + i).toString(16).padStart(40, "0")}` as Address;
}

/**
 * What a bench needs to sign WUSD transfers for the dev node at `url`: dev accounts
 * `0..count-1` as senders (their next nonces read from the node), the gas limit a wallet would
 * sign one transfer with (the node's estimate for one to `estimateTo`), and `sign(count, to)`,
 * which signs the next `count` transfers (nonces advanced).
 */
export async function wusdTransferSigner(
  url: string,
  genesis: GenesisInfo,
  count: number,
  estimateTo: Address,
): Promise<{
  senders: Sender[];
  gasLimit: bigint;
  sign(count: number, to: (i: number) => Address): Array<{ hash: string; hex: string }>;
}> {
  const wusd = genesis.contracts.wusd as Address;
  const { senders, next } = await devSenders(url, genesis, count);
  const gasLimit = await transferGasLimit(url, wusd, senders[0] as Sender, estimateTo);
  const chainId = BigInt(genesis.chainId);
  return {
    senders,
    gasLimit,
    sign: (n, to) => signedTransfers({ chainId, wusd, senders, next, gasLimit, count: n, to }),
  };
}
