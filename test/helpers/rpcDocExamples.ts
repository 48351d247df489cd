/**
 * The examples of docs/rpc.md whose answers carry gas, sent again to a node as the page
 * describes them (`test/unit/node/rpcDocFigures.test.ts` checks the page's figures against
 * what this returns): the first WUSD transfer and its block, `weft_call`, `weft_estimateGas`
 * with and without `auth` from ed25519, multisig and passkey accounts, a coin transfer, a
 * token deployment, and block 13 rebuilt as the page describes it (160 transactions from 160
 * ed25519 accounts in one block: coin transfers to distinct new addresses, every fourth a
 * WUSD transfer to 0x…dd). The node must have 3 dev accounts and make blocks only when asked.
 */
import assert from "node:assert/strict";
import { loadArtifact } from "../../src/chain/artifacts.js";
import { encodeTx, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { fromHex, toHex } from "../../src/codec/bytes.js";
import { devSigner, type GenesisInfo } from "../../src/node/genesis/genesis.js";
import { ed25519Key, passkeyKey } from "../../src/sdk/client/accounts.js";
import { counterfactualAddress, createAccountCall } from "../../src/sdk/client/counterfactual.js";
import { rpc } from "../../src/sdk/rpcClient.js";
import { passkeySigner } from "../../src/sdk/signers.js";
import { callsRaw, tokenTransferRaw } from "./nodeTx.js";
import type { TestNode } from "./testNode.js";

const AA: Address = "0x00000000000000000000000000000000000000aa";
const BB: Address = "0x00000000000000000000000000000000000000bb";
const CC: Address = "0x00000000000000000000000000000000000000cc";
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

interface Receipt {
  status: string;
  gasUsed: number;
  fee: string;
  blockNumber: number;
}
interface Estimate {
  gasUsed: number;
  gasLimit: number;
}

/**
 * Replays the examples on `node`; returns each gas figure by name (`transfer.gasUsed`,
 * `estimate28.gasLimit`, ...). `texts` gets what the page shows of the transactions whose
 * bytes depend on gas (their gas limit is an estimate): `raw61`/`raw65` (hex), `hash61`/
 * `hash65`, the blocks they went into (`block61`/`block65`: a block's hash depends on its
 * time, so the page's are one run's), the deployment's arguments (`args64`, hex), the
 * token's address, `token.address`, and dev account 0's balance after the first transfer
 * (`balance21`, decimal: it paid the transfer's fee).
 */
export async function replayRpcDocExamples(
  node: TestNode,
  texts = new Map<string, string>(),
): Promise<Map<string, number>> {
  const actual = new Map<string, number>();
  const url = node.url;
  const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
  const dev = genesis.accounts.map((a) => a.address as Address);
  const [dev0, , dev2] = dev as [Address, Address, Address];
  const wusd = genesis.contracts.wusd as Address;
  /** Submits raw transactions and makes one block of them; returns their receipts. */
  const sendAll = async (raws: Uint8Array[]): Promise<Receipt[]> => {
    const hashes: string[] = [];
    for (const raw of raws)
      hashes.push((await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [hex(raw)])).hash);
    const receipts: Receipt[] = [];
    for (const hash of hashes) {
      let receipt = await rpc<Receipt | null>(url, "weft_getReceipt", [hash]);
      // A block holds what its gas limit allows: the rest goes into the next ones.
      for (let blocks = 0; receipt === null && blocks < 10; blocks++) {
        await node.running.node.produceNow();
        receipt = await rpc<Receipt | null>(url, "weft_getReceipt", [hash]);
      }
      assert.equal(
        receipt?.status,
        "success",
        `${hash} included and successful: ${JSON.stringify(receipt)?.slice(0, 300)}`,
      );
      receipts.push(receipt as Receipt);
    }
    return receipts;
  };
  const send = async (raw: Uint8Array): Promise<Receipt> => (await sendAll([raw]))[0] as Receipt;
  /** Sends `raw` as example `id` does; records its bytes and hash. */
  const sendShown = async (id: number, raw: Uint8Array): Promise<Receipt> => {
    texts.set(`raw${id}`, hex(raw));
    const receipt = await send(raw);
    const { txHash, blockHash } = receipt as Receipt & { txHash: string; blockHash: string };
    texts.set(`hash${id}`, txHash).set(`block${id}`, blockHash);
    return receipt;
  };

  // ids 4-9: dev account 0 sends 7 WUSD units to 0x…aa (sequence 0, max fee 10, priority 1).
  const first = await send(
    tokenTransferRaw({ chainId: 1337n, sender: dev0, devIndex: 0, sequence: 0n }, wusd, AA, 7n),
  );
  const block = await rpc<{ gasUsed: number; txCount: number }>(url, "weft_getBlockByNumber", [
    first.blockNumber,
  ]);
  assert.equal(block.txCount, 1, "the transfer is alone in its block");
  actual.set("transfer.gasUsed", first.gasUsed).set("transfer.fee", Number(first.fee));
  actual.set("block1.gasUsed", block.gasUsed);
  // id 21: dev account 0 after that block (its balance less the transfer's fee).
  const account = await rpc<{ balance: string }>(url, "weft_getAccount", [dev0, [0, "7"]]);
  texts.set("balance21", account.balance);

  // id 26: balanceOf(0x…aa); id 27: a transfer from 0x…bb, which holds nothing.
  const balanceOf = { to: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [AA])) };
  actual.set("call26.gasUsed", (await rpc<{ gasUsed: number }>(url, "weft_call", [balanceOf])).gasUsed);
  const transferArgs = encodeAbi(["address", "u128"], [dev0, 1n]);
  const refused = await rpc<{ status: string; gasUsed: number }>(url, "weft_call", [
    { from: BB, to: wusd, method: "transfer", args: hex(transferArgs) },
  ]);
  assert.equal(refused.status, "revert");
  actual.set("call27.gasUsed", refused.gasUsed);

  // id 28: the estimate of a 1-unit transfer to 0x…aa; id 30: the same with auth, then sent.
  const calls = [
    { target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [AA, 1n]), value: 0n },
  ];
  const jsonCalls = calls.map((c) => ({ target: c.target, method: c.method, args: hex(c.args) }));
  const plain = await rpc<Estimate>(url, "weft_estimateGas", [{ sender: dev0, calls: jsonCalls }]);
  actual.set("estimate28.gasUsed", plain.gasUsed).set("estimate28.gasLimit", plain.gasLimit);
  const env: TxEnvelope = {
    chainId: 1337n,
    sender: dev0,
    nonceKey: 0n,
    nonceSequence: 1n,
    gasLimit: 2_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(0).sign(signingHash(env));
  const withAuth = await rpc<Estimate>(url, "weft_estimateGas", [
    {
      sender: dev0,
      calls: jsonCalls,
      gasLimit: "2000000",
      maxFee: "10",
      priorityFee: "1",
      auth: hex(env.auth),
    },
  ]);
  actual.set("estimate30.gasUsed", withAuth.gasUsed).set("estimate30.gasLimit", withAuth.gasLimit);
  const sent = await send(callsRaw({ chainId: 1337n, sender: dev0, devIndex: 0, sequence: 1n }, calls));
  actual.set("estimate30.sent", sent.gasUsed);

  // ids 60-62: dev account 2 sends 1,000 coin units to 0x…cc (max fee 3, priority fee 1).
  const coin = [{ target: CC, method: "", args: new Uint8Array(0), value: 1000n }];
  const coinEstimate = await rpc<Estimate>(url, "weft_estimateGas", [
    { sender: dev2, calls: [{ target: CC, method: "", value: "1000" }] },
  ]);
  actual.set("estimate60.gasUsed", coinEstimate.gasUsed).set("estimate60.gasLimit", coinEstimate.gasLimit);
  const fees = { chainId: 1337n, sender: dev2, devIndex: 2, maxFee: 3n, priorityFee: 1n };
  const coinSent = await sendShown(
    61,
    callsRaw({ ...fees, sequence: 0n, gasLimit: BigInt(coinEstimate.gasLimit) }, coin),
  );
  actual.set("receipt62.gasUsed", coinSent.gasUsed).set("receipt62.fee", Number(coinSent.fee));

  // ids 64-67: dev account 2 deploys a token with salt 0x00…01.
  const { code } = loadArtifact("token");
  const init = encodeAbi(
    ["string", "string", "u8", "u128", "address"],
    ["Doc Token", "DOC", 6, 1_000_000n, dev2],
  );
  const salt = new Uint8Array(32);
  salt[31] = 1;
  const deployArgs = encodeAbi(["bytes", "bytes", "bytes32"], [code, init, salt]);
  const deploy = [{ target: ZERO, method: "deploy", args: deployArgs, value: 0n }];
  texts.set("args64", hex(deployArgs));
  const deployEstimate = await rpc<Estimate>(url, "weft_estimateGas", [
    { sender: dev2, calls: [{ target: ZERO, method: "deploy", args: hex(deployArgs) }] },
  ]);
  actual
    .set("estimate64.gasUsed", deployEstimate.gasUsed)
    .set("estimate64.gasLimit", deployEstimate.gasLimit);
  const raw = callsRaw({ ...fees, sequence: 1n, gasLimit: BigInt(deployEstimate.gasLimit) }, deploy);
  const deployed = await sendShown(65, raw);
  actual.set("receipt66.gasUsed", deployed.gasUsed).set("receipt66.fee", Number(deployed.fee));
  actual.set("token.codeBytes", code.length).set("deploy.txBytes", raw.length);
  const { contractAddress } = deployed as Receipt & { contractAddress: Address };
  texts.set("token.address", contractAddress);
  const tokenBalance = await rpc<{ gasUsed: number }>(url, "weft_call", [
    { to: contractAddress, method: "balanceOf", args: hex(encodeAbi(["address"], [dev2])) },
  ]);
  actual.set("call67.gasUsed", tokenBalance.gasUsed);

  // ids 76 and 79: a 1-of-1 multisig account and a passkey account made through the account
  // factory (the passkey's address funded with coin first), each asking a WUSD balanceOf.
  const factory = genesis.contracts.accountFactory as Address;
  const passkey = passkeySigner(new Uint8Array(32).fill(7));
  const multisigSpec = {
    kind: "multisig" as const,
    threshold: 1,
    signers: [{ scheme: "ed25519" as const, key: new Uint8Array(32).fill(9) }],
  };
  const passkeySpec = { kind: "passkey" as const, publicKey: passkey.publicKey };
  const multisig = counterfactualAddress({ factory, account: multisigSpec });
  const passkeyAddress = counterfactualAddress({ factory, account: passkeySpec });
  const bytes = (a: Uint8Array | string | undefined) =>
    typeof a === "string" ? fromHex(a) : (a ?? new Uint8Array(0));
  const create = [multisigSpec, passkeySpec].map((account) => {
    const c = createAccountCall({ factory, account });
    return { target: c.target, method: c.method, args: bytes(c.args), value: 0n };
  });
  const fund = { target: passkeyAddress, method: "", args: new Uint8Array(0), value: 10n ** 18n };
  await send(
    callsRaw(
      { chainId: 1337n, sender: dev[1] as Address, devIndex: 1, sequence: 0n, gasLimit: 50_000_000n },
      [fund, ...create],
    ),
  );
  const balanceCall = { target: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [AA])) };
  const fromMultisig = await rpc<Estimate>(url, "weft_estimateGas", [
    { sender: multisig, calls: [balanceCall] },
  ]);
  actual.set("estimate76.gasUsed", fromMultisig.gasUsed).set("estimate76.gasLimit", fromMultisig.gasLimit);
  const passkeyEnv: TxEnvelope = {
    chainId: 1337n,
    sender: passkeyAddress,
    nonceKey: 0n,
    nonceSequence: 0n,
    gasLimit: 3_000_000n,
    maxFee: 3n,
    priorityFee: 1n,
    calls: [{ target: wusd, method: "balanceOf", args: encodeAbi(["address"], [AA]), value: 0n }],
    auth: new Uint8Array(0),
  };
  passkeyEnv.auth = (await passkeyKey(passkey).sign(signingHash(passkeyEnv))) as Uint8Array;
  const fromPasskey = await rpc<Estimate>(url, "weft_estimateGas", [
    {
      sender: passkeyAddress,
      calls: [balanceCall],
      gasLimit: "3000000",
      maxFee: "3",
      priorityFee: "1",
      auth: hex(passkeyEnv.auth),
    },
  ]);
  actual.set("estimate79.gasUsed", fromPasskey.gasUsed).set("estimate79.gasLimit", fromPasskey.gasLimit);
  actual.set("estimate79.sent", (await send(encodeTx(passkeyEnv))).gasUsed);

  // id 83: a block of 160 transactions from 160 ed25519 accounts (made through the factory,
  // funded with coin, every fourth with WUSD): coin transfers to distinct new addresses,
  // and every fourth account's WUSD transfer to 0x…dd.
  const users = Array.from({ length: 160 }, (_, i) => {
    const secret = new Uint8Array(32);
    secret[0] = 1;
    secret[1] = i;
    const key = ed25519Key(secret);
    const address = counterfactualAddress({
      factory,
      account: { kind: "ed25519", publicKey: key.publicKey },
    });
    return { key, address };
  });
  const sequence = new Map<number, bigint>([
    [0, 2n],
    [1, 1n],
  ]);
  const from = (devIndex: number, calls: TxEnvelope["calls"]) => {
    const next = sequence.get(devIndex) as bigint;
    sequence.set(devIndex, next + 1n);
    const options = { chainId: 1337n, sender: dev[devIndex] as Address, devIndex, sequence: next };
    return callsRaw({ ...options, gasLimit: 200_000_000n }, calls);
  };
  const chunks = <T>(items: T[]): T[][] =>
    Array.from({ length: Math.ceil(items.length / 16) }, (_, i) => items.slice(16 * i, 16 * i + 16));
  const setup: Uint8Array[] = [];
  for (const group of chunks(users))
    setup.push(
      from(
        1,
        group.map((u) => ({ target: u.address, method: "", args: new Uint8Array(0), value: 10n ** 18n })),
      ),
    );
  for (const group of chunks(users.filter((_, i) => i % 4 === 0)))
    setup.push(
      from(
        0,
        group.map((u) => ({
          target: wusd,
          method: "transfer",
          args: encodeAbi(["address", "u128"], [u.address, 1000n]),
          value: 0n,
        })),
      ),
    );
  await sendAll(setup);
  const creations = chunks(users).map((group) =>
    from(
      1,
      group.map((u) => {
        const c = createAccountCall({ factory, account: { kind: "ed25519", publicKey: u.key.publicKey } });
        return { target: c.target, method: c.method, args: bytes(c.args), value: 0n };
      }),
    ),
  );
  await sendAll(creations);
  const DD: Address = "0x00000000000000000000000000000000000000dd";
  const busy = users.map((u, i) => {
    const recipient = `0x${(0xe000 + i).toString(16).padStart(40, "0")}` as Address;
    const call =
      i % 4 === 0
        ? { target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [DD, 1n]), value: 0n }
        : { target: recipient, method: "", args: new Uint8Array(0), value: 1000n };
    const env: TxEnvelope = {
      chainId: 1337n,
      sender: u.address,
      nonceKey: 0n,
      nonceSequence: 0n,
      gasLimit: 2_000_000n,
      maxFee: 10n,
      priorityFee: 1n,
      calls: [call],
      auth: new Uint8Array(0),
    };
    env.auth = u.key.sign(signingHash(env));
    return encodeTx(env);
  });
  const [one] = await sendAll(busy);
  const big = await rpc<{ gasUsed: number; txCount: number }>(url, "weft_getBlockByNumber", [
    one?.blockNumber,
  ]);
  assert.equal(big.txCount, 160, "the 160 transactions in one block");
  actual.set("block13.gasUsed", big.gasUsed);
  return actual;
}
