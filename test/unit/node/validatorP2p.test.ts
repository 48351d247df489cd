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
import { SecretKey } from "@chainsafe/blst";
import type { Address } from "../../../src/codec/address.js";
import { blsProofOfPossession } from "../../../src/codec/bls.js";
import { verifyCertificate } from "../../../src/consensus/certificate.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { startValidator, type ValidatorService } from "../../../src/node/validator/startValidator.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";
import { blsKey } from "../../helpers/validators.js";

const CHAIN_ID = 1337n;
const E18 = 10n ** 18n;
const all = (i: number) => Array.from({ length: i }, (_, j) => j);

describe("validators over libp2p", () => {
  it("4 validators with their own hosts decide the same blocks over gossip", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validators-p2p-"));
    const network = {
      validators: [0, 1, 2, 3].map((i) => ({
        operator: devAccountAddress(i),
        blsKey: blsKey(i).publicKey,
        proofOfPossession: blsProofOfPossession(blsKey(i), CHAIN_ID, devAccountAddress(i)),
        stake: 1_000n * E18,
        commissionBps: 1_000,
      })),
      activeSize: 4,
      epochLength: 100n,
      jailSeconds: 600n,
      evidenceAge: 100n,
      unbondingSeconds: 86_400n,
      blockReward: E18,
    };
    const nodes: ChainNode[] = [];
    const services: ValidatorService[] = [];
    let hosts: P2pNode[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        nodes.push(
          await ChainNode.open({
            dataDir: join(root, `v${i}`),
            chainId: CHAIN_ID,
            feeRecipient: "0x00000000000000000000000000000000000000fe",
            devAccounts: 4,
            workers: 1,
            blockTimeMs: 600_000,
            maxBlockTxs: 1_000,
            blockGasLimit: 1_000_000_000,
            genesisTime: 1_700_000_000,
            network,
          }),
        );
      }
      hosts = await startNodes(4, () => ({}), all);
      const topic = chainTopics(CHAIN_ID).consensus;
      for (const [i, node] of nodes.entries()) {
        services.push(
          await startValidator({
            node,
            p2p: hosts[i] as P2pNode,
            key: { publicKey: blsKey(i).publicKey, secretKey: SecretKey.fromBytes(blsKey(i).secret) },
            timeouts: {
              propose: { baseMs: 2000, incrementMs: 500 },
              prevote: { baseMs: 800, incrementMs: 400 },
              precommit: { baseMs: 800, incrementMs: 400 },
            },
          }),
        );
      }
      await waitFor("the consensus mesh", () => meshed(hosts, topic, all), 20_000);
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
        const where = services.map((s) => [
          s.driver.machine.height,
          s.driver.machine.round,
          s.driver.machine.step,
        ]);
        throw new Error(
          `${e.message}: heights/rounds/steps ${JSON.stringify(where)}, pending ${nodes.map((n) => n.mempool.pending().length)}`,
        );
      });
      for (const s of services) s.close();
      const top = Math.min(...nodes.map((n) => n.head().number));
      for (let h = 1; h <= top; h++) {
        const headers = nodes.map((n) => n.db.block(h)?.header);
        assert.equal(new Set(headers.map((b) => b?.hash)).size, 1, `one block at ${h}`);
        assert.equal(new Set(headers.map((b) => b?.stateRoot)).size, 1, `one state root at ${h}`);
        for (const n of nodes) assert.ok(readCertificate(n.db, h), `node has the certificate of ${h}`);
      }
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
      for (const s of services) s.close();
      await stopNodes(hosts);
      for (const n of nodes) await n.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
