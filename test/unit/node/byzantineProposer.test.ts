/**
 * Byzantine validators among 4 real ChainNodes (staking genesis, in-process network), issue 15,
 * attacker (session 17). Validator 0 proposes, at each of its turns, a block that breaks a
 * rule checked before execution: a time an hour ahead of the clock, a time before its parent,
 * more transactions than a block may hold. Validator 3 votes nil on everything (its prevotes and
 * precommits are re-signed as nil on the wire; it follows the chain). After each: one chain
 * (same block, state root and certificate at every height), every acknowledged transaction
 * committed, none of the byzantine values decided, no honest validator jailed, and the
 * downtime the staking contract counts falls on the nil voter alone.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { staking } from "../../../src/bindings/staking.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { sign } from "../../../src/consensus/bls.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication } from "../../../src/consensus/interfaces.js";
import {
  decodeBundle,
  decodeMessage,
  encodeBundle,
  encodeVote,
} from "../../../src/consensus/messageCodec.js";
import { FileSignRecordStore, SignGuard } from "../../../src/consensus/signGuard.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import type { Value } from "../../../src/consensus/types.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { decodeBlockValue, encodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { readValue } from "../../../src/node/validator/certificateStore.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { type MemoryTransport, memoryNetwork, NETWORK_TIMEOUTS, until } from "../../helpers/memoryNetwork.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { assertOneChain, networkSpec, openTestNode, stakingView } from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

const CHAIN_ID = 1337n;
const FEE: Address = "0x00000000000000000000000000000000000000fe";
/** A block holds at most this many transactions on these nodes. */
const MAX_TXS = 2;

type Transport = MemoryTransport;

interface Byzantine {
  /** Wraps validator i's application (default: as it is). */
  app?: (i: number, app: ChainApplication, node: ChainNode) => ConsensusApplication;
  /** Wraps validator i's transport (default: as it is). */
  transport?: (i: number, t: Transport) => Transport;
}

async function openNetwork(root: string, byz: Byzantine, refusals: string[] = []) {
  const spec = networkSpec(4);
  const network = memoryNetwork(4);
  const nodes: ChainNode[] = [];
  const drivers: ConsensusDriver[] = [];
  for (let i = 0; i < 4; i++) {
    const dir = join(root, `v${i}`);
    const node = await openTestNode(dir, { network: spec, maxBlockTxs: MAX_TXS });
    nodes.push(node);
    const validators = stakingValidatorSource(
      (k) => node.state.get(k),
      node.genesis.network?.staking as Address,
    );
    const key = blsKey(i);
    const app = new ChainApplication(node, {
      publicKey: key.publicKey,
      validators,
      log: (_level, message, fields) => refusals.push(`${i}: ${message}: ${fields?.error}`),
    });
    const t = network[i] as Transport;
    drivers.push(
      new ConsensusDriver({
        chainId: CHAIN_ID.toString(),
        transport: byz.transport?.(i, t) ?? t,
        clock: { schedule: (ms, fire) => void setTimeout(fire, ms) },
        validators,
        app: byz.app?.(i, app, node) ?? app,
        validator: {
          publicKey: key.publicKey,
          guard: new SignGuard(
            new FileSignRecordStore(join(dir, "last-signed.bin")),
            SecretKey.fromBytes(key.secret),
          ),
        },
        timeouts: NETWORK_TIMEOUTS,
        rebroadcastMs: 2000,
      }),
    );
  }
  return {
    nodes,
    drivers,
    async close() {
      for (const d of drivers) d.stop();
      for (const n of nodes) await n.close();
    },
  };
}

function stakingOf(node: ChainNode, method: "missedBlocks" | "jailedUntil", who: Address): bigint {
  return stakingView<bigint>(node, method, staking[method].encode(who));
}

/** Submits 6 transfers from dev account 1 to every node's pool (gossip by hand); their hashes. */
function submitTransfers(nodes: ChainNode[]): string[] {
  const wusd = nodes[0]?.genesis.contracts.wusd as Address;
  const sender = devAccountAddress(1);
  return Array.from({ length: 6 }, (_, s) => {
    const raw = tokenTransferRaw(
      { chainId: CHAIN_ID, sender, devIndex: 1, sequence: BigInt(s) },
      wusd,
      FEE,
      1n,
    );
    return nodes.map((n) => n.submit(raw).hash)[0] as string;
  });
}

describe("byzantine proposer and nil voter", () => {
  it("a proposer of blocks from the future, from before their parent and past the tx bound: never decided, no fork, no honest downtime", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-byz-proposer-"));
    const forged: string[] = [];
    const refusals: string[] = [];
    const kinds: string[] = [];
    const net = await openNetwork(
      root,
      {
        app: (i, app, node) => {
          if (i !== 0) return app;
          const evil = Object.create(app) as ChainApplication;
          evil.proposeValue = async (height, round, gathered) => {
            const honest = await app.proposeValue(height, round, gathered);
            const b = decodeBlockValue(honest.bytes);
            const kind = (["future", "past", "oversized"] as const)[forged.length % 3] as string;
            const nowS = Math.floor(Date.now() / 1000);
            const extra = (n: number) =>
              Array.from({ length: n }, (_, s) =>
                tokenTransferRaw(
                  { chainId: CHAIN_ID, sender: devAccountAddress(2), devIndex: 2, sequence: BigInt(s) },
                  node.genesis.contracts.wusd as Address,
                  FEE,
                  1n,
                ),
              );
            const headerHash: `0x${string}` = `0x${(forged.length + 1).toString(16).padStart(64, "e")}`;
            const value = encodeBlockValue({
              ...b,
              headerHash,
              ...(kind === "future" ? { time: nowS + 3600 } : {}),
              ...(kind === "past" ? { time: node.head().time - 1 } : {}),
              ...(kind === "oversized" ? { rawTxs: extra(MAX_TXS + 1) } : {}),
            });
            forged.push(headerHash);
            kinds.push(kind);
            return value as Value;
          };
          return evil;
        },
      },
      refusals,
    );
    try {
      const hashes = submitTransfers(net.nodes);
      for (const d of net.drivers) await d.start(1);
      const reached = await until(
        () => forged.length >= 4 && net.nodes.every((n) => n.head().number >= 8),
        150_000,
      );
      for (const d of net.drivers) d.stop();
      assert.ok(reached, `heads ${net.nodes.map((n) => n.head().number)}, forged ${kinds}`);
      const top = assertOneChain(net.nodes);
      for (let h = 1; h <= top; h++) {
        const hash = net.nodes[1]?.db.block(h)?.header.hash as string;
        assert.ok(!forged.includes(hash), `height ${h} decided a forged block`);
      }
      for (const n of net.nodes)
        for (const h of hashes) assert.equal(n.db.receipt(h)?.status, "success", `transfer ${h} committed`);
      // Each refused by the rule it breaks, before any execution, on every honest validator.
      for (const i of [1, 2, 3]) {
        const mine = refusals.filter((r) => r.startsWith(`${i}: proposed block refused`));
        for (const why of [
          /too far ahead of this node's clock/,
          /is before its parent's/,
          /above the block's 2/,
        ])
          assert.ok(
            mine.some((r) => why.test(r)),
            `validator ${i} refused for ${why}: ${mine.join(" | ")}`,
          );
      }
      const reader = net.nodes[1] as ChainNode;
      const missed = [0, 1, 2, 3].map((i) => stakingOf(reader, "missedBlocks", devAccountAddress(i)));
      for (const i of [0, 1, 2, 3]) {
        assert.equal(stakingOf(reader, "jailedUntil", devAccountAddress(i)), 0n, `validator ${i} jailed`);
        // The downtime rule jails at half a window missed: nowhere near it.
        assert.ok(Number(missed[i]) * 2 < top, `validator ${i} missed ${missed[i]} of ${top}: ${missed}`);
      }
      console.log(`byzantine proposer: ${kinds.join(",")} refused; ${top} heights; missed ${missed}`);
    } finally {
      await net.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a validator voting nil forever: every height decided, the misses are its alone", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-byz-nil-"));
    const NIL = 3;
    const secret = SecretKey.fromBytes(blsKey(NIL).secret);
    let rewritten = 0;
    const nilVote = (bytes: Uint8Array): Uint8Array => {
      const m = decodeMessage(bytes);
      if (m.kind !== "vote" || m.vote.valueHash === null) return bytes;
      rewritten++;
      const v = { ...m.vote, valueHash: null };
      return encodeVote({ ...v, signature: sign(secret, voteSigningBytes(CHAIN_ID.toString(), v)) });
    };
    const net = await openNetwork(root, {
      transport: (i, t) =>
        i !== NIL
          ? t
          : {
              onMessage: (h) => t.onMessage(h),
              broadcast(bytes) {
                const parts = decodeBundle(bytes);
                t.broadcast(
                  parts === null ? nilVote(bytes) : encodeBundle(parts.map(nilVote), BigInt(rewritten)),
                );
              },
            },
    });
    try {
      const hashes = submitTransfers(net.nodes);
      for (const d of net.drivers) await d.start(1);
      const reached = await until(() => net.nodes.every((n) => n.head().number >= 8), 150_000);
      for (const d of net.drivers) d.stop();
      assert.ok(reached, `heads ${net.nodes.map((n) => n.head().number)}`);
      assert.ok(rewritten > 0, "the nil voter's votes were rewritten");
      const top = assertOneChain(net.nodes);
      for (const n of net.nodes)
        for (const h of hashes) assert.equal(n.db.receipt(h)?.status, "success", `transfer ${h} committed`);
      const reader = net.nodes[0] as ChainNode;
      const head = reader.head().number;
      const missed = [0, 1, 2, 3].map((i) => stakingOf(reader, "missedBlocks", devAccountAddress(i)));
      // Blocks 2..head carry the certificates of 1..head-1. The nil voter's precommits for
      // blocks never left it, but it signed them: as the proposer, it may put its own withheld
      // signature in the certificate it carries (as a CometBFT proposer may), and only then.
      let credited = 0;
      for (let h = 2; h <= head; h++) {
        const b = decodeBlockValue(readValue(reader.db, h) as Uint8Array);
        const signed = (((b.lastCommit?.signers[NIL >> 3] ?? 0) >> (NIL & 7)) & 1) === 1;
        if (signed) {
          credited++;
          assert.equal(b.proposer, NIL, `block ${h} by ${b.proposer} credits the nil voter`);
        }
      }
      assert.equal(missed[NIL], BigInt(head - 1 - credited), `missed ${missed}, credited ${credited}`);
      assert.ok(Number(missed[NIL]) * 2 >= head - 1, `the nil voter missed ${missed[NIL]} of ${head - 1}`);
      for (const i of [0, 1, 2]) {
        assert.ok(
          (missed[i] as bigint) < (missed[NIL] as bigint),
          `honest ${i} missed ${missed[i]}: ${missed}`,
        );
        assert.equal(stakingOf(reader, "jailedUntil", devAccountAddress(i)), 0n);
      }
      console.log(`nil voter: ${top} heights; missed ${missed}`);
    } finally {
      await net.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
