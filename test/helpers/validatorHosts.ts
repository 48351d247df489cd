/**
 * Validators as `weft node` runs them, for tests: ChainNodes on one staking genesis, each
 * with its own libp2p host (TCP on 127.0.0.1) and `startValidator`, and the checks every
 * such test makes (one chain: the same block and state root at every height, certificates).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SecretKey } from "@chainsafe/blst";
import { staking } from "../../src/bindings/staking.gen.js";
import { FEE_COLLECTOR } from "../../src/chain/staking/endBlock.js";
import type { Address } from "../../src/codec/address.js";
import { blsProofOfPossession } from "../../src/codec/bls.js";
import type { TimeoutConfig } from "../../src/consensus/timeouts.js";
import type { P2pNode, P2pNodeOptions } from "../../src/net/p2pNode.js";
import { chainTopics } from "../../src/net/topics.js";
import { ChainNode, type ChainNodeOptions } from "../../src/node/chainNode.js";
import { devAccountAddress } from "../../src/node/genesis/genesis.js";
import type { NetworkGenesis } from "../../src/node/genesis/networkGenesis.js";
import { readCertificate } from "../../src/node/validator/certificateStore.js";
import {
  startValidator,
  type ValidatorOptions,
  type ValidatorService,
} from "../../src/node/validator/startValidator.js";
import { TxState } from "../../src/vm/txState.js";
import { meshed, startNodes, stopNodes, waitFor } from "./p2p.js";
import { blsKey } from "./validators.js";

export const CHAIN_ID = 1337n;
export const E18 = 10n ** 18n;
export const everyOther = (i: number) => Array.from({ length: i }, (_, j) => j);

export const TEST_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 2000, incrementMs: 500 },
  prevote: { baseMs: 800, incrementMs: 400 },
  precommit: { baseMs: 800, incrementMs: 400 },
};

/** A network genesis of `n` validators (dev accounts 0..n-1, BLS keys 0..n-1), equal stakes. */
export function networkSpec(n: number, overrides: Partial<NetworkGenesis> = {}): NetworkGenesis {
  return {
    validators: Array.from({ length: n }, (_, i) => ({
      operator: devAccountAddress(i),
      blsKey: blsKey(i).publicKey,
      proofOfPossession: blsProofOfPossession(blsKey(i), CHAIN_ID, devAccountAddress(i)),
      stake: 1_000n * E18,
      commissionBps: 1_000,
    })),
    activeSize: n,
    epochLength: 100n,
    jailSeconds: 600n,
    evidenceAge: 100n,
    unbondingSeconds: 86_400n,
    blockReward: E18,
    ...overrides,
  };
}

/** Opens a ChainNode in `dir` as every validator test does (1 worker, genesis at a fixed time), on `network` if given. */
export function openTestNode(dir: string, options: Partial<ChainNodeOptions> = {}): Promise<ChainNode> {
  return ChainNode.open(testNodeOptions(dir, options));
}

/** The options `openTestNode` opens a node with. */
export function testNodeOptions(dir: string, options: Partial<ChainNodeOptions> = {}): ChainNodeOptions {
  return {
    dataDir: dir,
    chainId: CHAIN_ID,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    devAccounts: options.network?.validators.length ?? 4,
    workers: 1,
    blockTimeMs: 600_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    genesisTime: 1_700_000_000,
    ...options,
  };
}

export interface ValidatorHosts {
  nodes: ChainNode[];
  /** One host per validator, then `extraHosts` more (observers, attackers), linked to all unless `links` says otherwise. */
  hosts: P2pNode[];
  services: ValidatorService[];
  close(): Promise<void>;
}

/** Opens `n` validators in `root` on `spec`, their hosts fully linked, consensus meshed. */
export async function startValidatorHosts(
  root: string,
  spec: NetworkGenesis,
  options: {
    extraHosts?: number;
    validator?: Partial<ValidatorOptions>;
    /** Each host's options (limits, …); default none. */
    host?: (i: number) => P2pNodeOptions;
    /** The earlier hosts host i keeps connected to; default all of them. */
    links?: (i: number) => number[];
  } = {},
): Promise<ValidatorHosts> {
  const n = spec.validators.length;
  const out: ValidatorHosts = {
    nodes: [],
    hosts: [],
    services: [],
    async close() {
      for (const s of out.services) s.close();
      await stopNodes(out.hosts);
      for (const node of out.nodes) await node.close();
    },
  };
  try {
    for (let i = 0; i < n; i++) {
      out.nodes.push(await openTestNode(join(root, `v${i}`), { network: spec }));
    }
    out.hosts = await startNodes(
      n + (options.extraHosts ?? 0),
      options.host ?? (() => ({})),
      options.links ?? everyOther,
    );
    for (const [i, node] of out.nodes.entries()) {
      out.services.push(
        await startValidator({
          node,
          p2p: out.hosts[i] as P2pNode,
          key: { publicKey: blsKey(i).publicKey, secretKey: SecretKey.fromBytes(blsKey(i).secret) },
          timeouts: TEST_TIMEOUTS,
          ...options.validator,
        }),
      );
    }
    const topic = chainTopics(CHAIN_ID).consensus;
    await waitFor("the consensus mesh", () => meshed(out.hosts.slice(0, n), topic, everyOther), 20_000);
  } catch (error) {
    await out.close();
    throw error;
  }
  return out;
}

/** Where each validator's consensus is, for a timeout's message. */
export function consensusPositions(services: ValidatorService[]): string {
  return JSON.stringify(
    services.map((s) => [s.driver.machine.height, s.driver.machine.round, s.driver.machine.step]),
  );
}

/** The same block and state root at every common height on every node, each with its certificate; returns that height. */
export function assertOneChain(nodes: ChainNode[]): number {
  const top = Math.min(...nodes.map((n) => n.head().number));
  for (let h = 1; h <= top; h++) {
    const headers = nodes.map((n) => n.db.block(h)?.header);
    assert.equal(new Set(headers.map((b) => b?.hash)).size, 1, `one block at ${h}`);
    assert.equal(new Set(headers.map((b) => b?.stateRoot)).size, 1, `one state root at ${h}`);
    for (const n of nodes) assert.ok(readCertificate(n.db, h), `node has the certificate of ${h}`);
  }
  return top;
}

/** Calls a view of the node's staking contract on its committed state. */
export function stakingView<T>(node: ChainNode, method: keyof typeof staking, input: Uint8Array): T {
  const s = new TxState({ read: (k) => node.state.get(k) });
  const out = node.vm.call(
    s,
    { height: 1n, time: 1n, chainId: CHAIN_ID },
    {
      caller: FEE_COLLECTOR,
      target: node.genesis.network?.staking as Address,
      method,
      input,
      value: 0n,
      gasLimit: 10_000_000,
    },
  );
  assert.equal(out.status, "success", `${method} ran`);
  return (staking[method] as unknown as { decode(data: Uint8Array): T }).decode(out.data);
}
