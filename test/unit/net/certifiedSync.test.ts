/**
 * A node joining a consensus chain late catches up over real libp2p: blocks with their
 * commit certificates from a validator, each certificate verified against the validator set,
 * each block re-executed to its header hash and committed; a peer serving a forged
 * certificate is refused and scored down.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import { serveBlocks } from "../../../src/net/blockSync.js";
import { catchUp } from "../../../src/net/catchUp.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { applyCertifiedBlocks, chainBlockSource } from "../../../src/node/certifiedSync.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { guardedValidator, REAL_CLOCK, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const CHAIN_ID = 1337n;
const FEE: Address = "0x00000000000000000000000000000000000000fe";
const links = (i: number) => (i === 2 ? [0, 1] : []);

/**
 * A lone validator needs no network, so its heights follow one another in microtasks and
 * timers never run: it waits 20 ms before each proposal (a block time) to let them. Once
 * `halt` is set it proposes nothing more (the driver's stop does not end a lone validator's
 * loop), so the chain stops growing.
 */
const pacing = { halt: false };
function paced(app: ChainApplication): ChainApplication {
  const propose = app.proposeValue.bind(app);
  app.proposeValue = async (height: number) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (pacing.halt) await new Promise(() => {});
    return propose(height);
  };
  return app;
}

describe("certified block sync", () => {
  const root = mkdtempSync(join(tmpdir(), "weft-certsync-"));
  const chains: ChainNode[] = [];
  let nets: P2pNode[] = [];
  after(async () => {
    await stopNodes(nets);
    for (const chain of chains) await chain.close();
    rmSync(root, { recursive: true, force: true });
  });

  const open = async (name: string) => {
    const node = await ChainNode.open({
      dataDir: join(root, name),
      chainId: CHAIN_ID,
      feeRecipient: FEE,
      devAccounts: 2,
      workers: 1,
      blockTimeMs: 600_000,
      maxBlockTxs: 1_000,
      blockGasLimit: 30_000_000,
      genesisTime: 1_700_000_000,
    });
    chains.push(node);
    return node;
  };

  it("a late node catches up from a validator's certified blocks and skips a forger", async () => {
    const keys = testKeys(1, "sync");
    const set = testSet(keys);
    const validators = { validatorSetAt: () => ({ set, startHeight: 1 }) };
    // A one-validator chain: consensus decides blocks alone, each stored with its certificate.
    const validator = await open("validator");
    const key = keys[0] as (typeof keys)[0];
    const driver = new ConsensusDriver({
      chainId: CHAIN_ID.toString(),
      transport: { broadcast: () => {}, onMessage: () => {} },
      clock: REAL_CLOCK,
      validators,
      app: paced(new ChainApplication(validator, { validators, publicKey: key.publicKey })),
      validator: guardedValidator(key, join(root, "signed.bin")),
      timeouts: {
        propose: { baseMs: 200, incrementMs: 100 },
        prevote: { baseMs: 200, incrementMs: 100 },
        precommit: { baseMs: 200, incrementMs: 100 },
      },
      rebroadcastMs: 2000,
    });
    const genesis = validator.genesis;
    const raw = tokenTransferRaw(
      { chainId: CHAIN_ID, sender: genesis.accounts[0]?.address as Address, devIndex: 0, sequence: 0n },
      genesis.contracts.wusd as Address,
      FEE,
      5n,
    );
    const hash = validator.submit(raw).hash;
    // A lone validator never leaves its first task (every height decides at once): not awaited.
    void driver.start(1);
    await waitFor(
      "5 certified blocks with the transaction",
      () => validator.head().number >= 5 && validator.db.tx(hash) !== undefined,
      60_000,
    );
    pacing.halt = true;
    driver.stop();
    await new Promise((resolve) => setTimeout(resolve, 200)); // a proposal under way commits
    const top = validator.head().number;

    // Over libp2p: the validator serves; a forger serves the same blocks with a broken certificate.
    nets = await startNodes(3, () => ({}), links);
    const [server, forger, joiner] = nets as [P2pNode, P2pNode, P2pNode];
    const source = chainBlockSource(validator.db);
    await serveBlocks(server, source);
    await serveBlocks(forger, {
      block(height) {
        const block = source.block(height) as
          | { height: number; block: Uint8Array; certificate: Uint8Array }
          | undefined;
        if (block === undefined) return undefined;
        const certificate = block.certificate.slice();
        certificate[certificate.length - 1] = (certificate[certificate.length - 1] as number) ^ 1;
        return { ...block, certificate };
      },
    });
    await waitFor("the peers", () => linked(nets, links));

    const late = await open("late");
    const result = await catchUp(
      joiner,
      [forger.peerId, server.peerId],
      1,
      applyCertifiedBlocks(new ChainApplication(late, { validators }), validators, CHAIN_ID.toString()),
    );
    assert.equal(result.height, top + 1);
    assert.equal(late.head().number, top);
    for (let h = 1; h <= top; h++) {
      const mine = late.db.block(h)?.header;
      const theirs = validator.db.block(h)?.header;
      assert.equal(mine?.hash, theirs?.hash, `block ${h}`);
      assert.equal(mine?.stateRoot, theirs?.stateRoot, `state root ${h}`);
      assert.ok(readCertificate(late.db, h), `certificate ${h} stored`);
    }
    assert.equal(late.db.receipt(hash)?.status, "success");
    assert.ok((result.faults.get(forger.peerId) ?? 0) >= 1);
    assert.ok(joiner.scores.score(forger.peerId) < 0);
  });
});
