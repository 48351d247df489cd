/**
 * A transaction's declared gas limit cannot crowd others out of blocks (issue 12, attacker
 * finding 2: with candidates selected up to 2 blocks' worth of gas LIMITS, six transactions
 * reserving a third of a block each filled that budget every block; honest transactions
 * with lower tips never got in, and the base fee stayed at its minimum). Candidates are now
 * selected by count and bytes, the block keeps the prefix whose gas USED fits, and the base
 * fee follows that use: honest transactions get in at once when the attackers use little
 * gas, and within the blocks the attackers pay for when they use it all, while the fee rises.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { nextBaseFee } from "../../../src/node/baseFee.js";
import type { ChainNode, ChainNodeOptions } from "../../../src/node/chainNode.js";
import type { ProducedBlock } from "../../../src/node/producer.js";
import { hex } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { callsRaw, deployRaw } from "../../helpers/nodeTx.js";
import { wat } from "../../helpers/wat.js";
import { withChainNode } from "../../helpers/withChainNode.js";

const BLOCK_GAS = 150_000_000;
/** The attackers' gas limit: six of them make 2 blocks' worth. */
const ATTACK_GAS = BLOCK_GAS / 3;
const ATTACKERS = [1, 2, 3, 4, 5, 6];
const HONEST = 9;
const HONEST_TXS = 40;
const TO: Address = `0x${"ab".repeat(20)}`;
const SPINNER = wat(`(module
  (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l))))`);

type Header = ProducedBlock["block"]["header"];

function withNode<T>(extra: Partial<ChainNodeOptions>, run: (node: ChainNode) => Promise<T>): Promise<T> {
  return withChainNode(
    "weft-crowd-",
    {
      chainId: 1337n,
      feeRecipient: "0x00000000000000000000000000000000000000fe",
      devAccounts: 12,
      workers: 1,
      blockTimeMs: 60_000,
      maxBlockTxs: 1_000,
      blockGasLimit: BLOCK_GAS,
      minBaseFee: 1n,
      genesisTime: 1_900_000_000,
      ...extra,
    },
    run,
  );
}

/** A raw transaction from dev account `index` running one call. */
function send(
  node: ChainNode,
  index: number,
  sequence: bigint,
  gasLimit: number,
  priorityFee: bigint,
  call: { target: Address; method: string },
): string {
  const sender = node.genesis.accounts[index]?.address as Address;
  const raw = callsRaw(
    {
      chainId: 1337n,
      sender,
      devIndex: index,
      sequence,
      gasLimit: BigInt(gasLimit),
      maxFee: 1_000n,
      priorityFee,
    },
    [{ ...call, args: new Uint8Array(0), value: call.method === "" ? 1n : 0n }],
  );
  return node.submit(raw).hash;
}

const transfer = { target: TO, method: "" };

/** Each header's base fee is the rule's, from its parent's gas used. */
function assertBaseFees(headers: Header[]): void {
  for (let i = 1; i < headers.length; i++) {
    const parent = headers[i - 1] as Header;
    const child = headers[i] as Header;
    const expected = nextBaseFee(
      { baseFee: BigInt(parent.baseFee ?? 1), gasUsed: parent.gasUsed, gasLimit: parent.gasLimit },
      1n,
    );
    assert.equal(BigInt(child.baseFee ?? 0), expected, `block ${child.number}: base fee`);
  }
}

describe("gas limits cannot crowd honest transactions out", () => {
  it("six huge-limit transfers, sent again every block: the honest ones are in the first block", async () => {
    await withNode({}, async (node) => {
      const honest = Array.from({ length: HONEST_TXS }, (_, i) =>
        send(node, HONEST, BigInt(i), 1_000_000, 1n, transfer),
      );
      const waiting = new Set(honest);
      const headers: Header[] = [];
      for (let round = 0; round < 3; round++) {
        const attack = ATTACKERS.map((a) => send(node, a, BigInt(round), ATTACK_GAS, 5n, transfer));
        const block = await node.produceNow();
        assert.ok(block !== undefined);
        const included = new Set<string>(block.block.txHashes);
        for (const h of attack)
          assert.ok(included.has(h), "the attackers' transactions are in (they pay more)");
        for (const h of [...waiting]) if (included.has(h)) waiting.delete(h);
        headers.push(block.block.header);
        assert.equal(block.block.txHashes.length, ATTACKERS.length + (round === 0 ? HONEST_TXS : 0));
      }
      assert.equal(waiting.size, 0, `${waiting.size} honest transactions still wait after 3 blocks`);
      // Blocks use less than their target (half the limit): the base fee stays at its minimum.
      for (const h of headers) {
        assert.ok(h.gasUsed < BLOCK_GAS / 2, `block ${h.number} uses ${h.gasUsed}`);
        assert.equal(h.baseFee, "1");
      }
      assertBaseFees(headers);
      assert.equal(hex(stateRootFrom(node.db.state.iterate(""))), node.head().stateRoot);
    });
  });

  it("six huge-limit transactions that burn it all: cut by gas used, the fee rises, honest ones follow", async () => {
    // In parallel (2 workers): the engine stops at each cut; the same blocks as sequentially.
    const runs: Array<{ headers: Header[]; honestAt: number[] }> = [];
    for (const extra of [{}, { workers: 2, minParallelTxs: 0 }]) {
      runs.push(
        await withNode(extra, async (node) => {
          const deployer = node.genesis.accounts[0]?.address as Address;
          const deploy = deployRaw(
            { chainId: 1337n, sender: deployer, devIndex: 0, sequence: 0n, gasLimit: 50_000_000n },
            SPINNER,
          );
          node.submit(deploy);
          node.clock.setNext(2_000_000_000);
          const first = await node.produceNow();
          assert.equal(first?.receipts[0]?.status, "success", "the spinner is deployed");
          const spinner = contractAddress(
            deployer,
            new Uint8Array(32),
            keccak256(SPINNER),
            new Uint8Array(0),
          );
          const honest = Array.from({ length: HONEST_TXS }, (_, i) =>
            send(node, HONEST, BigInt(i), 1_000_000, 1n, transfer),
          );
          const spins = ATTACKERS.map((a) =>
            send(node, a, 0n, ATTACK_GAS, BigInt(20 - a), { target: spinner, method: "spin" }),
          );
          // Falling tips: the pool's order is the order sent, whatever their arrival times.
          const headers: Header[] = [first?.block.header as Header];
          const honestAt: number[] = [];
          for (let k = 1; node.mempool.size > 0 && k <= 6; k++) {
            node.clock.setNext(2_000_000_000 + k);
            const block = await node.produceNow();
            assert.ok(block !== undefined);
            assert.deepEqual(block.dropped, [], "nothing is dropped");
            const hashes = block.block.txHashes as string[];
            honestAt.push(hashes.filter((h) => honest.includes(h)).length);
            headers.push(block.block.header);
            // Three spins use the whole block: the fourth is cut and waits.
            if (k <= 2)
              assert.deepEqual(hashes, spins.slice(3 * (k - 1), 3 * k), `block ${k + 1}: three spins`);
          }
          assert.equal(node.mempool.size, 0, "every transaction is in");
          assert.deepEqual(honestAt, [0, 0, HONEST_TXS], "the honest ones in the block after the spins");
          const [, full1, full2, after] = headers as [Header, Header, Header, Header];
          assert.equal(full1.gasUsed, BLOCK_GAS);
          assert.ok(BigInt(full2.baseFee ?? 0) > BigInt(full1.baseFee ?? 0), "full blocks raise the fee");
          assert.ok(BigInt(after.baseFee ?? 0) > BigInt(full2.baseFee ?? 0));
          assertBaseFees(headers);
          assert.equal(hex(stateRootFrom(node.db.state.iterate(""))), node.head().stateRoot);
          return { headers, honestAt };
        }),
      );
    }
    const [sequential, parallel] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.deepEqual(parallel.headers, sequential.headers, "parallel = sequential, header by header");
  });
});
