/**
 * `eth_sendRawTransaction` through the node: admission's typed refusals with geth's messages,
 * the pool's nonce order and limits for Ethereum senders, inclusion in blocks, the stored
 * records (transaction, receipt with the recovered sender, account index) and the reads in
 * Ethereum's shapes. Blocks are made on demand (`produceNow`): the timer is an hour.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText as assemble } from "../../../bench/evm/asm.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { type EthAccount, type EthTxRequest, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const hexOf = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
type Answer = { result?: unknown; error?: { code: number; message: string; data?: { reason?: string } } };

describe("eth_sendRawTransaction through the node", () => {
  let node: TestNode;
  const [alice, bob, carol] = ethDevKeys(3).map(
    (k): EthAccount => ({ key: k.privateKey, address: k.address }),
  ) as [EthAccount, EthAccount, EthAccount];
  const stranger: Address = "0x00000000000000000000000000000000000000e1";
  before(async () => {
    node = await startTestNode((config) => {
      config.blockTimeMs = 3_600_000;
      config.mempool = { ...config.mempool, maxPerSender: 4 };
    });
    node.running.node.automine = false;
  });
  after(() => node?.close());

  const ask = async (method: string, params: unknown[] = []) =>
    (await call(node.url, method, params)) as Answer;
  const chainId = () => node.config.chainId;
  const baseFee = () => evmBaseFee(node.running.node.nextBlock().baseFee ?? 0n);
  const raw = (from: EthAccount, request: Partial<EthTxRequest> & { nonce: bigint }, id = chainId()) =>
    hexOf(
      signEthTxRaw(
        from,
        {
          to: stranger,
          value: 1n,
          gasLimit: 21_000n,
          maxFee: baseFee() * 2n + 10n,
          priorityFee: 2n,
          ...request,
        },
        id,
      ),
    );
  const send = (hex: string) => ask("eth_sendRawTransaction", [hex]);
  const mine = () => node.running.node.produceNow();

  it("refuses with geth's messages and typed reasons, changing nothing", async () => {
    const refusals: Array<[string, string, RegExp]> = [
      [raw(alice, { nonce: 0n }, 5n), "INVALID", /^invalid chain id for signer/],
      [raw(alice, { nonce: 0n, gasLimit: 20_000n }), "INVALID", /^intrinsic gas too low: gas limit 20000/],
      [raw(alice, { nonce: 0n, gasLimit: 1n << 25n }), "INVALID", /^transaction gas limit too high/],
      [
        raw(alice, { nonce: 0n, maxFee: 0n, priorityFee: 0n }),
        "FEE_TOO_LOW",
        /^max fee per gas less than block base fee/,
      ],
      [
        raw(alice, { nonce: 0n, value: 10n ** 30n }),
        "INVALID",
        /^insufficient funds for gas \* price \+ value: address 0x/,
      ],
      [raw(alice, { nonce: 1n << 40n }), "NONCE_TOO_FAR", /^nonce too high/],
      ["0xc0", "DECODE", /^rlp: /],
      ["0x02c0", "DECODE", /^rlp: /],
      // Bytes of neither form say how they were read, not only the RLP library's complaint.
      [
        "0xdeadbeef",
        "DECODE",
        /^rlp: not RLP: .* \(read as an Ethereum transaction by its first byte, 0xde: 0x01, 0x02 or 0xc0 and above; a Weft transaction starts with 0x57\)$/,
      ],
      [`0x02${"00".repeat(130 * 1024)}`, "TOO_LARGE", /^oversized data/],
    ];
    for (const [hex, reason, message] of refusals) {
      const answer = await send(hex);
      assert.equal(answer.error?.code, -32000, `${reason}: ${JSON.stringify(answer).slice(0, 300)}`);
      assert.equal(answer.error?.data?.reason, reason, answer.error?.message);
      assert.match(answer.error?.message ?? "", message);
    }
    assert.equal(node.running.node.mempool.size, 0);
    // Params the node cannot read are -32602 with the reason.
    const bad = await send("0x123");
    assert.equal(bad.error?.code, -32602);
    assert.match(bad.error?.message ?? "", /hex bytes/);
  });

  it("holds a later nonce until its predecessor arrives, replaces only with a 10% bump, bounds each sender", async () => {
    const second = raw(bob, { nonce: 1n });
    const secondHash = (await send(second)).result as string;
    assert.equal(secondHash, hexOf(keccak256(Buffer.from(second.slice(2), "hex"))));
    assert.match((await send(second)).error?.message ?? "", /^already known/);
    assert.equal(await mine(), undefined, "nonce 1 alone is not ready");
    const pending = (await ask("eth_getTransactionByHash", [secondHash])).result as Record<string, unknown>;
    assert.equal(pending.blockHash, null);
    assert.equal(pending.from, bob.address);
    assert.equal(pending.nonce, "0x1");
    assert.equal((await ask("eth_getTransactionReceipt", [secondHash])).result, null);
    // A replacement of nonce 1 paying the same is refused; one paying 10% more replaces it.
    const same = await send(raw(bob, { nonce: 1n, value: 2n }));
    assert.match(same.error?.message ?? "", /^replacement transaction underpriced/);
    const bumped = raw(bob, { nonce: 1n, value: 2n, maxFee: baseFee() * 3n + 20n, priorityFee: 3n });
    const bumpedHash = (await send(bumped)).result as string;
    assert.equal((await ask("eth_getTransactionByHash", [secondHash])).result, null);
    assert.equal((await ask("eth_getTransactionCount", [bob.address, "latest"])).result, "0x0");
    const first = raw(bob, { nonce: 0n });
    const firstHash = (await send(first)).result as string;
    assert.equal((await ask("eth_getTransactionCount", [bob.address, "pending"])).result, "0x2");
    for (const n of [2n, 3n]) assert.equal(typeof (await send(raw(bob, { nonce: n }))).result, "string");
    const limit = await send(raw(bob, { nonce: 4n }));
    assert.match(limit.error?.message ?? "", /^account limit exceeded/);
    const block = await mine();
    assert.ok(block);
    assert.deepEqual(block.block.txHashes.slice(0, 2), [firstHash, bumpedHash]);
    assert.equal(block.block.txHashes.length, 4);
    assert.equal((await ask("eth_getTransactionCount", [bob.address])).result, "0x4");
    const again = await send(raw(bob, { nonce: 0n, value: 3n }));
    assert.match(again.error?.message ?? "", /^nonce too low: address 0x[0-9a-f]{40}, tx: 0 state: 4/);
    // The mined transaction sent again is geth's "nonce too low" (ethers' NONCE_EXPIRED), not "already known".
    const resent = await send(first);
    assert.equal(resent.error?.data?.reason, "ALREADY_INCLUDED", JSON.stringify(resent));
    assert.match(
      resent.error?.message ?? "",
      /^nonce too low: transaction 0x[0-9a-f]{64} is already in a block/,
    );
  });

  it("stores the transaction, its receipt and logs, and indexes the sender; reads come back in Ethereum's shapes", async () => {
    // A contract whose runtime logs one topic and 4 bytes of data on every call.
    const runtime = assemble("PUSH4 0xcafef00d PUSH1 0 MSTORE PUSH1 0x77 PUSH1 4 PUSH1 28 LOG1 STOP");
    const init = assemble(`PUSH1 ${runtime.length} DUP1 PUSH1 11 PUSH1 0 CODECOPY PUSH1 0 RETURN`);
    const deployHash = (
      await send(
        raw(carol, {
          nonce: 0n,
          to: undefined,
          value: 0n,
          data: new Uint8Array([...init, ...runtime]),
          gasLimit: 200_000n,
        }),
      )
    ).result as string;
    assert.equal(typeof deployHash, "string", "deployment admitted");
    await mine();
    const deployed = (await ask("eth_getTransactionReceipt", [deployHash])).result as Record<string, string>;
    assert.equal(deployed.status, "0x1", JSON.stringify(deployed));
    const contract = deployed.contractAddress as Address;
    assert.match(contract, /^0x[0-9a-f]{40}$/);
    assert.equal(deployed.to, null);
    assert.equal((await ask("eth_getCode", [contract])).result, hexOf(runtime));

    // Two logging calls in one block: log indexes run across the block.
    const a = (await send(raw(carol, { nonce: 1n, to: contract, value: 0n, gasLimit: 60_000n })))
      .result as string;
    const b = (await send(raw(alice, { nonce: 0n, to: contract, value: 0n, gasLimit: 60_000n })))
      .result as string;
    const produced = await mine();
    assert.ok(produced);
    const receiptA = (await ask("eth_getTransactionReceipt", [a])).result as Record<string, unknown>;
    const receiptB = (await ask("eth_getTransactionReceipt", [b])).result as Record<string, unknown>;
    const [first, second] = [receiptA, receiptB].sort(
      (x, y) => Number(x.transactionIndex) - Number(y.transactionIndex),
    ) as [Record<string, unknown>, Record<string, unknown>];
    const logsOf = (r: Record<string, unknown>) => r.logs as Array<Record<string, unknown>>;
    assert.equal(first.status, "0x1", JSON.stringify(first));
    assert.equal(second.status, "0x1", JSON.stringify(second));
    assert.equal(logsOf(first)[0]?.logIndex, "0x0");
    assert.equal(logsOf(second)[0]?.logIndex, "0x1");
    assert.equal(logsOf(second)[0]?.blockHash, produced.block.header.hash);
    assert.equal(logsOf(second)[0]?.data, "0xcafef00d");
    assert.equal(
      BigInt(second.cumulativeGasUsed as string),
      BigInt(first.gasUsed as string) + BigInt(second.gasUsed as string),
    );
    assert.equal(BigInt(first.effectiveGasPrice as string) > 0n, true);
    assert.equal(receiptA.from, carol.address);
    assert.equal(receiptA.type, "0x2");
    // The bloom has the contract's address bits (and a receipt's bloom is within the block's).
    const bloom = BigInt(first.logsBloom as string);
    assert.notEqual(bloom, 0n);
    const block = (
      await ask("eth_getBlockByNumber", [`0x${produced.block.header.number.toString(16)}`, true])
    ).result as Record<string, unknown>;
    assert.equal(BigInt(block.logsBloom as string) & bloom, bloom);
    const txs = block.transactions as Array<Record<string, unknown>>;
    assert.equal(txs.length, 2);
    assert.equal(txs.find((t) => t.hash === a)?.from, carol.address);
    assert.equal(
      block.baseFeePerGas,
      `0x${evmBaseFee(BigInt(produced.block.header.baseFee ?? 0)).toString(16)}`,
    );
    const byHash = (await ask("eth_getBlockByHash", [produced.block.header.hash, false])).result as Record<
      string,
      unknown
    >;
    assert.deepEqual(byHash.transactions, produced.block.txHashes);
    // The weft_ views know the transaction and the account index has the sender.
    const weftTx = (await ask("weft_getTransaction", [a])).result as Record<string, unknown>;
    assert.equal(weftTx.kind, "eth");
    assert.equal(weftTx.from, carol.address);
    const accountTxs = (await ask("weft_getAccountTransactions", [carol.address])).result as unknown;
    assert.match(JSON.stringify(accountTxs), new RegExp(a.slice(2)));
  });
});
