/**
 * State sync into a new node, over real libp2p: 4 validators run past an epoch change
 * that changed the set (a delegation moved validator 0's power); a fresh node syncs the
 * state at a certified height past it (following the set from genesis by epoch links),
 * installs it, and answers reads as a validator does.
 * Then what a hostile peer can do: forged epoch links, a claim certified by a set that is not
 * the chain's, a failed install, each refused with a typed error and nothing installed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { buildCertificate } from "../../../src/consensus/certificate.js";
import { VoteType } from "../../../src/consensus/types.js";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { type ChainNode, commitGenesis } from "../../../src/node/chainNode.js";
import {
  decodeEpochLink,
  type EpochLink,
  EpochLinkError,
  encodeEpochLink,
  epochLinkKey,
  verifyEpochChain,
} from "../../../src/node/epochLinks.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { StateSyncError, stateSyncJoin } from "../../../src/node/stateSyncJoin.js";
import { serveStateSync } from "../../../src/node/stateSyncServe.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { signedVote, testKeys } from "../../helpers/consensusKeys.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  CHAIN_ID,
  consensusPositions,
  E18,
  networkSpec,
  openTestNode,
  startValidatorHosts,
  testNodeOptions,
} from "../../helpers/validatorHosts.js";

const FAST = { blockIntervalMs: 50, syncIntervalMs: 300 };
const EPOCH = 5;
const spec = networkSpec(4, { epochLength: BigInt(EPOCH) });
const ctx = { transport: "http" as const, connectionId: "t", remoteAddress: "127.0.0.1" };

async function hostFor(peers: P2pNode[]): Promise<P2pNode> {
  const host = await createP2pNode({
    heartbeatMs: 100,
    reconnect: { minMs: 100, maxMs: 1000 },
    peers: peers.map((p) => p.multiaddrs()[0] as string),
  });
  await host.start();
  return host;
}

/** The genesis set, read from block 0 written into `dir`. */
function genesisSetOf(dir: string) {
  const db = openChainDb(dir);
  try {
    commitGenesis(db, testNodeOptions(dir, { network: spec }));
    const staking = db.meta<GenesisInfo>("genesis")?.network?.staking as Address;
    return stakingValidatorSource((k) => db.state.get(k), staking).validatorSetAt(1).set;
  } finally {
    void db.close();
  }
}

const links = (node: ChainNode, count: number): EpochLink[] =>
  Array.from({ length: count }, (_, i) => {
    const text = node.db.meta<string>(epochLinkKey(i + 1));
    assert.ok(text, `validator 0 recorded epoch link ${i + 1}`);
    return decodeEpochLink(fromHex(text));
  });

describe("state sync into a new node", () => {
  it("syncs past an epoch change that changed the set, installs, and answers reads", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-statesync-"));
    const net = await startValidatorHosts(root, spec, { validator: { ...FAST, snapshotInterval: 15 } });
    const extra: Array<() => Promise<void>> = [];
    try {
      const v0 = net.nodes[0] as ChainNode;
      const staking = v0.genesis.network?.staking as `0x${string}`;
      // Dev account 1 delegates 2,000 coin to validator 0: epoch 1's set has other powers.
      const raw = callsRaw(
        { chainId: CHAIN_ID, sender: devAccountAddress(1), devIndex: 1, sequence: 0n, gasLimit: 5_000_000n },
        [
          {
            target: staking,
            method: "delegate",
            args: encodeAbi(["address"], [devAccountAddress(0)]),
            value: 2_000n * E18,
          },
        ],
      );
      await v0.submitAsync(raw);
      const past = 2 * EPOCH + 6;
      await waitFor(
        `the validators past ${past}`,
        () => net.nodes.every((n) => n.head().number >= past),
        150_000,
      ).catch((e: Error) => {
        const heads = net.nodes.map((n) => n.head().number);
        throw new Error(`${e.message}: heads ${heads}, consensus at ${consensusPositions(net.services)}`);
      });
      const sets = stakingValidatorSource((k) => v0.state.get(k), staking);
      const powers = (h: number) => sets.stakingSetAt(h).validators.map((m) => m.power);
      const genesisSet = genesisSetOf(join(root, "genesis-only"));

      // The chain of epoch links each validator recorded holds from the genesis set.
      const input = {
        chainId: CHAIN_ID.toString(),
        staking,
        epochLength: EPOCH,
        genesisSet,
      };
      const chain = links(v0, 2);
      const proven = verifyEpochChain(chain, input);
      assert.equal(proven.length, 3);
      const votingPowers = (i: number) => proven[i]?.validators.map((v) => v.votingPower);
      assert.notDeepEqual(votingPowers(1), votingPowers(0), "epoch 1's set is not the genesis set");
      assert.deepEqual(votingPowers(2), powers(2 * EPOCH + 1).map(BigInt), "link 2 proves epoch 2's set");
      assertForgedLinksRefused(chain, input);

      // A fresh node syncs from the validators.
      const dir = join(root, "fresh");
      const host = await hostFor(net.hosts);
      extra.push(() => host.stop());
      const options = testNodeOptions(dir, { network: spec });
      await checkpointsHold(v0, host, root);

      // The install fails inside its transaction (the disk, say): the directory keeps its genesis chain only.
      let writes = 0;
      const diskFull = (op: "read" | "write") => {
        if (op === "write" && ++writes === 2) throw new Error("disk full");
      };
      await assert.rejects(stateSyncJoin({ options, p2p: host, storeFaults: diskFull }), /disk full/);
      const left = openChainDb(dir);
      assert.equal(left.head()?.number, 0, "nothing of the synced chain was kept");
      assert.equal(left.meta("stateSync"), undefined);
      await left.close();
      // Started again, it syncs.
      const synced = await stateSyncJoin({ options, p2p: host });
      assert.ok(synced.synced, "synced");
      assert.ok(synced.height > EPOCH, `synced at ${synced.height}, past the epoch change at ${EPOCH}`);
      assert.equal(
        synced.stateRoot,
        v0.db.block(synced.height)?.header.stateRoot,
        "the validators' state root",
      );
      assert.ok(synced.chunks >= 1 && synced.entries > 0);
      // Synced again: the directory holds blocks now, it is left alone.
      assert.deepEqual(await stateSyncJoin({ options, p2p: host }), { synced: false, head: synced.height });

      // The full database check (`--check-db full`) takes the synced chain: no blocks between
      // genesis and the header window, headers without transactions up to the sync height.
      const installed = openChainDb(dir);
      const report = checkChainDb(installed);
      // The history starts at the synced block: nothing is known of the state below it.
      assert.deepEqual(installed.readableStates(synced.height), {
        from: synced.height,
        head: synced.height,
        keep: 128,
      });
      assert.throws(() => installed.stateAt(synced.height - 1, synced.height), /holds those of blocks/);
      await installed.close();
      assert.deepEqual(report.problems, []);
      // It opens on what was installed and answers reads that did not move since as a validator
      // does (following the head after is the e2e test's: test/e2e/stateSync.test.ts).
      const fresh = await openTestNode(dir, { network: spec });
      extra.unshift(() => fresh.close());
      assert.equal(fresh.head().number, synced.height);
      // Synced to an epoch's last block (snapshots every 15 blocks, epochs of 5): serving, it
      // records that block's link from the installed state, so light clients following the set
      // through it find every link (before, it held links up to the one before: NO_LINK).
      assert.equal(synced.height % EPOCH, 0);
      const served = await serveStateSync({ node: fresh, p2p: host, interval: 0 });
      extra.unshift(async () => served.close());
      const through = links(fresh, synced.height / EPOCH);
      assert.equal(
        verifyEpochChain(through, input).length,
        synced.height / EPOCH + 1,
        "the synced node's links, its own height's included, hold from the genesis set",
      );
      assert.equal(fresh.head().hash, v0.db.block(synced.height)?.header.hash);
      // The answer without the head it was read at.
      const read = async (node: ChainNode, method: string, params: unknown[]) =>
        JSON.stringify(await nodeMethods(node)[method]?.(params, ctx), (k, v) =>
          k === "blockNumber" ? undefined : v,
        );
      for (const [method, params] of [
        ["weft_getAccount", [devAccountAddress(1)]],
        ["eth_getBalance", [devAccountAddress(0), "latest"]],
        [
          "weft_call",
          [
            {
              to: staking,
              method: "stakeOf",
              args: `0x${toHex(encodeAbi(["address", "address"], [devAccountAddress(0), devAccountAddress(1)]))}`,
            },
          ],
        ],
      ] as Array<[string, unknown[]]>) {
        assert.equal(await read(fresh, method, params), await read(v0, method, params), method);
      }
    } finally {
      for (const stop of extra) await stop();
      await net.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Links that lie in each way are refused, each with its code. */
function assertForgedLinksRefused(chain: EpochLink[], input: Parameters<typeof verifyEpochChain>[1]): void {
  const refused = (links: EpochLink[], code: string) =>
    assert.throws(
      () => verifyEpochChain(links, input),
      (e: unknown) => e instanceof EpochLinkError && e.code === code,
      code,
    );
  const [one, two] = chain as [EpochLink, EpochLink];
  // A flipped byte in a proven record (a power): its proof fails.
  const flipped = decodeEpochLink(encodeEpochLink(one));
  const record = flipped.records.find((r) => r.value !== undefined && r.value.length > 0);
  const value = record?.value;
  assert.ok(value);
  value[value.length - 1] = (value[value.length - 1] as number) ^ 1;
  refused([flipped, two], "PROOF");
  // A record left out: the set cannot be read from proven records alone.
  refused([{ ...one, records: one.records.slice(1) }, two], "MISSING");
  // Links out of order: link 2 where link 1 is due.
  refused([two, one], "HEIGHT");
  // A header changed under its hash.
  refused([{ ...one, header: { ...one.header, stateRoot: two.header.stateRoot } }, two], "HEADER");
  // Link 2 signed by the genesis set's keys is fine only if they are epoch 1's set: here its
  // certificate is replaced by one signed by keys that are no validator's.
  const strangers = testKeys(4, "not validators");
  const forged = buildCertificate(
    [0, 1, 2, 3].map((validator) =>
      signedVote(
        strangers,
        {
          type: VoteType.Precommit,
          height: two.header.number,
          round: 0,
          valueHash: fromHex(two.header.hash),
          validator,
        },
        input.chainId,
      ),
    ),
    4,
  );
  refused([one, { ...two, certificate: forged }], "CERTIFICATE");
  // Fewer than 2/3 of the power: one signer's bit of the real certificate kept.
  const signers = new Uint8Array(two.certificate.signers.length);
  signers[0] = 1;
  refused([one, { ...two, certificate: { ...two.certificate, signers } }], "CERTIFICATE");
}

/**
 * `--checkpoint <height>:<hash>`: a snapshot is taken only through the trusted block, whose
 * link is trusted by its hash (the links before it are not fetched, nor stored); a wrong hash
 * refuses every peer's snapshot; a height that is no epoch's last block is refused at once.
 */
async function checkpointsHold(v0: ChainNode, host: P2pNode, root: string): Promise<void> {
  const at = 2 * EPOCH;
  const hash = v0.db.block(at)?.header.hash as string;
  const options = (name: string) => testNodeOptions(join(root, name), { network: spec });
  await assert.rejects(
    stateSyncJoin({ options: options("cp-height"), p2p: host, checkpoint: { height: at + 1, hash } }),
    (e: unknown) => e instanceof StateSyncError && e.code === "BAD_CHECKPOINT",
  );
  const wrong = v0.db.block(at - 1)?.header.hash as string;
  await assert.rejects(
    stateSyncJoin({
      options: options("cp-wrong"),
      p2p: host,
      rounds: 1,
      checkpoint: { height: at, hash: wrong },
    }),
    (e: unknown) => e instanceof StateSyncError && e.code === "NO_SNAPSHOT" && /CHECKPOINT/.test(e.message),
  );
  const synced = await stateSyncJoin({ options: options("cp"), p2p: host, checkpoint: { height: at, hash } });
  assert.ok(synced.synced && synced.height > at, "synced past the checkpoint");
  const db = openChainDb(join(root, "cp"));
  try {
    assert.equal(db.meta(epochLinkKey(1)), undefined, "the link before the checkpoint was not fetched");
    assert.ok(db.meta(epochLinkKey(2)), "the checkpoint's link is kept");
    assert.equal(db.head()?.hash, v0.db.block(synced.height)?.header.hash);
  } finally {
    await db.close();
  }
}
