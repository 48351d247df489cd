/**
 * Four validators as they run in `weft node`: each a ChainNode on a staking genesis with its
 * own libp2p host (TCP on 127.0.0.1, noise, yamux, gossipsub), consensus on the chain's
 * consensus topic (`startValidator`). They decide blocks with the transaction a user sent,
 * the same at every height on every node, each with a certificate that verifies.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { verifyCertificate } from "../../../src/consensus/certificate.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  assertOneChain,
  CHAIN_ID,
  consensusPositions,
  networkSpec,
  startValidatorHosts,
} from "../../helpers/validatorHosts.js";

describe("validators over libp2p", () => {
  it("4 validators with their own hosts decide the same blocks over gossip", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validators-p2p-"));
    const v = await startValidatorHosts(root, networkSpec(4));
    const { nodes, services } = v;
    try {
      const wusd = nodes[0]?.genesis.contracts.wusd as Address;
      const raw = tokenTransferRaw(
        { chainId: CHAIN_ID, sender: devAccountAddress(0), devIndex: 0, sequence: 0n },
        wusd,
        devAccountAddress(1),
        7n,
      );
      const hash = (nodes[2] as ChainNode).submit(raw).hash;
      for (const n of [nodes[0], nodes[1], nodes[3]]) n?.submit(raw); // the tx gossip, by hand
      await waitFor(
        "4 heads at 3 with the transaction",
        () => nodes.every((n) => n.head().number >= 3 && n.db.tx(hash) !== undefined),
        60_000,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}: heights/rounds/steps ${consensusPositions(services)}, pending ${nodes.map((n) => n.mempool.pending().length)}`,
        );
      });
      for (const s of services) s.close();
      const top = assertOneChain(nodes);
      for (const n of nodes) assert.equal(n.db.receipt(hash)?.status, "success");
      const c = readCertificate((nodes[1] as ChainNode).db, top);
      assert.ok(c);
      const source = stakingValidatorSource(
        (k) => (nodes[1] as ChainNode).state.get(k),
        nodes[1]?.genesis.network?.staking as Address,
      );
      verifyCertificate(c, source.validatorSetAt(top).set, CHAIN_ID.toString(), {
        height: top,
        blockHash: Buffer.from(String(nodes[1]?.db.block(top)?.header.hash).slice(2), "hex"),
      });
    } finally {
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
