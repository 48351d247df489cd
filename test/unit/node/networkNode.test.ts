/**
 * A node whose genesis made a validator network: the genesis validators registered with
 * their BLS keys and bonded, epoch 0's set readable from storage, fees paid to the fee
 * collector and, with the block reward, paid out by the end-of-block step of every block
 * the node builds (and after a restart).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { staking } from "../../../src/bindings/staking.gen.js";
import { FEE_COLLECTOR } from "../../../src/chain/staking/endBlock.js";
import { readValidatorSet } from "../../../src/chain/staking/validatorSet.js";
import type { Address } from "../../../src/codec/address.js";
import { blsProofOfPossession } from "../../../src/codec/bls.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import type { NetworkGenesis } from "../../../src/node/genesis/networkGenesis.js";
import { balanceKey } from "../../../src/state/keys.js";
import { TxState } from "../../../src/vm/txState.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { blsKey } from "../../helpers/validators.js";

const E18 = 10n ** 18n;
const CHAIN = 1337n;

function network(): NetworkGenesis {
  return {
    validators: [0, 1].map((i) => {
      const operator = devAccountAddress(i);
      return {
        operator,
        blsKey: blsKey(i).publicKey,
        proofOfPossession: blsProofOfPossession(blsKey(i), CHAIN, operator),
        stake: (1_000n + BigInt(i)) * E18,
        commissionBps: 10_000,
      };
    }),
    activeSize: 4,
    epochLength: 100n,
    jailSeconds: 600n,
    evidenceAge: 100n,
    unbondingSeconds: 86_400n,
    blockReward: 3n * E18,
  };
}

function options(dataDir: string): ChainNodeOptions {
  return {
    dataDir,
    chainId: CHAIN,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    devAccounts: 2,
    workers: 1,
    blockTimeMs: 60_000,
    maxBlockTxs: 100,
    blockGasLimit: 1_000_000_000,
    network: network(),
  };
}

function view(node: ChainNode, method: "pendingRewards", args: [Address, Address]): bigint {
  const s = new TxState({ read: (k) => node.state.get(k) });
  const out = node.vm.call(
    s,
    { height: 1n, time: 1n, chainId: CHAIN },
    {
      caller: FEE_COLLECTOR,
      target: node.genesis.network?.staking as Address,
      method,
      input: staking[method].encode(...args),
      value: 0n,
      gasLimit: 10_000_000,
    },
  );
  assert.equal(out.status, "success");
  return staking[method].decode(out.data);
}

describe("a node on a validator network", () => {
  it("starts from the network genesis and pays fees and block rewards through the staking step", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-network-"));
    try {
      let node = await ChainNode.open(options(dir));
      const [v0, v1] = [0, 1].map((i) => node.genesis.accounts[i]?.address as Address) as [Address, Address];
      assert.equal(devAccountAddress(0), v0, "the dev accounts' addresses are known before the genesis");
      assert.equal(devAccountAddress(1), v1);
      assert.equal(node.genesis.kind, "network");
      const stakingAddress = node.genesis.network?.staking as Address;
      const set = readValidatorSet((k) => node.state.get(k), stakingAddress);
      assert.deepEqual(
        set.validators.map((m) => [m.address, m.power]),
        [
          [v1, 500_249_875],
          [v0, 499_750_124],
        ],
      );
      // Proposer by default: the set's first validator (commission 100%: it keeps everything).
      const wusd = node.genesis.contracts.wusd as Address;
      node.submit(tokenTransferRaw({ chainId: CHAIN, sender: v0, devIndex: 0, sequence: 0n }, wusd, v1, 5n));
      const produced = await node.produceNow();
      assert.equal(produced?.block.header.feeRecipient, FEE_COLLECTOR);
      assert.equal(decodeU128(node.state.get(balanceKey(FEE_COLLECTOR))), 0n, "the collector was emptied");
      const tips = BigInt(produced?.receipts[0]?.fee ?? "0");
      const paid = view(node, "pendingRewards", [v1, v1]);
      assert.ok(paid > 3n * E18, `${paid}: the block reward and the fees`);
      assert.ok(paid <= 3n * E18 + tips);
      await node.close();
      await assert.rejects(
        ChainNode.open({ ...options(dir), dev: true }),
        /dev mode is only for the development genesis/,
      );

      node = await ChainNode.open(options(dir));
      node.submit(tokenTransferRaw({ chainId: CHAIN, sender: v0, devIndex: 0, sequence: 1n }, wusd, v1, 5n));
      await node.produceNow();
      assert.ok(view(node, "pendingRewards", [v1, v1]) > paid + 3n * E18 - 1n, "after a restart too");
      await node.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes no block of its own when its pool fills: on a network only consensus decides blocks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-network-"));
    const node = await ChainNode.open({ ...options(dir), maxBlockTxs: 2 });
    try {
      const wusd = node.genesis.contracts.wusd as Address;
      for (let i = 0n; i < 3n; i++)
        node.submit(
          tokenTransferRaw(
            { chainId: CHAIN, sender: devAccountAddress(0), devIndex: 0, sequence: i },
            wusd,
            devAccountAddress(1),
            1n,
          ),
        );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await node.exclusive(() => undefined); // any block production started has finished
      assert.equal(
        node.head().number,
        0,
        "a validator making a block outside consensus forks from the others",
      );
      assert.equal(node.mempool.size, 3);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
