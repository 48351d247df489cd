/**
 * Four validator nodes in one process, each a real ChainNode (LMDB, parallel engine) driven by
 * consensus over an in-process network: blocks are proposed from the pool, checked by
 * re-execution on every other node, committed with their certificate. Every node ends with
 * the same blocks, the same state roots, and certificates that verify against the set. On a
 * staking genesis the set is the contract's and the end-of-block step is fed the proposer,
 * the previous certificate's signers and the evidence, carried in the block.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { staking } from "../../../src/bindings/staking.gen.js";
import { FEE_COLLECTOR } from "../../../src/chain/staking/endBlock.js";
import type { Address } from "../../../src/codec/address.js";
import { verifyCertificate } from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ValidatorSetSource } from "../../../src/consensus/interfaces.js";
import type { ChainNode, ChainNodeOptions } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { guardedValidator, REAL_CLOCK, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { memoryNetwork, NETWORK_TIMEOUTS, until } from "../../helpers/memoryNetwork.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { networkSpec, openTestNode, stakingView } from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

const CHAIN_ID = 1337n;
const FEE: Address = "0x00000000000000000000000000000000000000fe";
const E18 = 10n ** 18n;

interface Validators {
  nodes: ChainNode[];
  drivers: ConsensusDriver[];
  sources: ValidatorSetSource[];
}

/** Opens 4 nodes in `root` and their consensus drivers (not started). */
async function openValidators(
  root: string,
  keys: Array<{ publicKey: Uint8Array; secretKey: SecretKey }>,
  options: Partial<ChainNodeOptions>,
  source: (node: ChainNode) => ValidatorSetSource,
): Promise<Validators> {
  const network = memoryNetwork(keys.length);
  const out: Validators = { nodes: [], drivers: [], sources: [] };
  for (const [i, key] of keys.entries()) {
    const dir = join(root, `v${i}`);
    const node = await openTestNode(dir, { devAccounts: 4, ...options });
    out.nodes.push(node);
    const validators = source(node);
    out.sources.push(validators);
    const feeRecipient = `0x${"0".repeat(39)}${i + 1}` as Address;
    out.drivers.push(
      new ConsensusDriver({
        chainId: CHAIN_ID.toString(),
        transport: network[i] as (typeof network)[0],
        clock: REAL_CLOCK,
        validators,
        app: new ChainApplication(node, { feeRecipient, publicKey: key.publicKey, validators }),
        validator: guardedValidator(key, join(dir, "last-signed.bin")),
        timeouts: NETWORK_TIMEOUTS,
        rebroadcastMs: 2000,
      }),
    );
  }
  return out;
}

async function closeAll(v: Validators): Promise<void> {
  for (const d of v.drivers) d.stop();
  for (const n of v.nodes) await n.close();
}

/** Same block and state root at every height on every node; every certificate verifies. */
function assertOneChain(v: Validators): number {
  const top = Math.min(...v.nodes.map((n) => n.head().number));
  for (let h = 1; h <= top; h++) {
    const blocks = v.nodes.map((n) => n.db.block(h)?.header);
    assert.equal(new Set(blocks.map((b) => b?.hash)).size, 1, `one block at height ${h}`);
    assert.equal(new Set(blocks.map((b) => b?.stateRoot)).size, 1, `one state root at height ${h}`);
    for (const [i, n] of v.nodes.entries()) {
      const cert = readCertificate(n.db, h);
      assert.ok(cert, `node has the certificate of ${h}`);
      const blockHash = Buffer.from(String(blocks[0]?.hash).slice(2), "hex");
      const set = (v.sources[i] as ValidatorSetSource).validatorSetAt(h).set;
      verifyCertificate(cert, set, CHAIN_ID.toString(), { height: h, blockHash });
    }
  }
  return top;
}

describe("validator nodes", () => {
  it("4 nodes agree block by block through consensus, with re-execution and stored certificates", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validators-"));
    const keys = testKeys(4, "node");
    const set = testSet(keys);
    const v = await openValidators(root, keys, {}, () => ({
      validatorSetAt: () => ({ set, startHeight: 1 }),
    }));
    try {
      const nodes = v.nodes;
      assert.equal(new Set(nodes.map((n) => n.head().hash)).size, 1, "one genesis");
      const dev = nodes[0]?.genesis.accounts[0]?.address as Address;
      const wusd = nodes[0]?.genesis.contracts.wusd as Address;
      const raw = tokenTransferRaw(
        { chainId: CHAIN_ID, sender: dev, devIndex: 0, sequence: 0n },
        wusd,
        FEE,
        5n,
      );
      // The shared mempool's gossip, by hand: every node admits the transaction.
      const hash = nodes.map((n) => n.submit(raw).hash)[0] as string;
      for (const d of v.drivers) await d.start(1);
      const reached = await until(
        () => nodes.every((n) => n.head().number >= 3 && n.db.tx(hash) !== undefined),
        90_000,
      );
      for (const d of v.drivers) d.stop();
      assert.ok(reached, `heads: ${nodes.map((n) => n.head().number)}`);
      assertOneChain(v);
      for (const n of nodes) assert.equal(n.db.receipt(hash)?.status, "success");
    } finally {
      await closeAll(v);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("on a staking genesis: the contract's set votes, and every signer of a certificate is rewarded", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validators-staking-"));
    // Commission 100%: every reward goes to the validator itself, so each signer's is visible.
    const network = {
      ...networkSpec(4, { blockReward: 3n * E18 }),
      validators: networkSpec(4).validators.map((v) => ({ ...v, commissionBps: 10_000 })),
    };
    const keys = [0, 1, 2, 3].map((i) => ({
      publicKey: blsKey(i).publicKey,
      secretKey: SecretKey.fromBytes(blsKey(i).secret),
    }));
    let v: Validators | undefined;
    try {
      v = await openValidators(root, keys, { network }, (node) =>
        stakingValidatorSource((k) => node.state.get(k), node.genesis.network?.staking as Address),
      );
      const nodes = v.nodes;
      for (const d of v.drivers) await d.start(1);
      assert.ok(
        await until(() => nodes.every((n) => n.head().number >= 4), 90_000),
        `heads: ${nodes.map((n) => n.head().number)}`,
      );
      for (const d of v.drivers) d.stop();
      assertOneChain(v);
      // Block 2 on carry the certificate of the block before: its signers share the reward.
      const first = v.nodes[0] as ChainNode;
      // A node may have committed one block more than another when the drivers stopped
      // (assertOneChain checked every common height's state root): compare the rewards of
      // the nodes at the first node's head.
      const level = v.nodes.filter((n) => n.head().number === first.head().number);
      for (const i of [0, 1, 2, 3]) {
        const who = devAccountAddress(i);
        const rewards: bigint[] = level.map((n) => pendingRewards(n, who));
        assert.equal(new Set(rewards).size, 1, "every node computed the same rewards");
        assert.ok((rewards[0] as bigint) > 0n, `validator ${i} (${who}) was rewarded`);
      }
      assert.equal(first.head().feeRecipient, FEE_COLLECTOR);
    } finally {
      if (v !== undefined) await closeAll(v);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function pendingRewards(node: ChainNode, who: Address): bigint {
  return stakingView<bigint>(node, "pendingRewards", staking.pendingRewards.encode(who, who));
}
