/**
 * A validator, or a full node, in a running node: consensus (`consensus/driver.ts`) over the node's libp2p
 * host, on the chain's consensus topic (`net/gossipChannel.ts`), with the node as its
 * application (`chainApplication.ts`) and the staking contract's sets as its validators
 * (`stakingConsensus.ts`). The node's own timer producer must not run beside it.
 *
 * Messages are judged before gossip forwards them (`consensusJudge.ts`): one that does not
 * decode, or whose signature is not its validator's for a height whose set this node knows
 * (the next two heights included), is rejected and costs the forwarding peer score; one for a
 * height too far from ours, or that this node already holds (a replay in a fresh bundle), is
 * ignored (not forwarded). A decision (a height's block and certificate, for peers behind) is
 * forwarded only once this node committed exactly its bytes, and one whose certificate or
 * bytes are forged bans its forwarder. The driver checks again what it is given (it trusts no
 * transport).
 *
 * Double-sign evidence travels on its own topic (`evidenceGossip.ts`): what this node's
 * consensus sees is published, what peers send is judged before it is forwarded, and both
 * are held for the next block this validator proposes.
 *
 * Without a key the node is a full node: the same consensus, following without voting (it
 * decides when it sees a proposal and its precommits). Both serve their blocks to peers and
 * catch up by block sync when behind (`chainSync.ts`), into the driver.
 */
import { join } from "node:path";
import type { SecretKey } from "@chainsafe/blst";
import type { Address } from "../../codec/address.js";
import { ConsensusDriver } from "../../consensus/driver.js";
import { encodeEvidence } from "../../consensus/evidence.js";
import { FilePolkaStore, FileSignRecordStore, SignGuard } from "../../consensus/signGuard.js";
import { DEFAULT_TIMEOUTS, type TimeoutConfig } from "../../consensus/timeouts.js";
import { consensusTransport, evidenceChannel, type GossipChannel } from "../../net/gossipChannel.js";
import type { P2pNode } from "../../net/p2pNode.js";
import { chainTopics, MAX_CONSENSUS_MESSAGE_BYTES } from "../../net/topics.js";
import { storedDecision } from "../certifiedSync.js";
import type { ChainNode } from "../chainNode.js";
import { stakingValidatorSource } from "../stakingConsensus.js";
import { serveStateSync } from "../stateSyncServe.js";
import { readValue } from "./certificateStore.js";
import { ChainApplication } from "./chainApplication.js";
import { type ChainSync, startChainSync } from "./chainSync.js";
import { createConsensusJudge, OLD_HEIGHTS } from "./consensusJudge.js";
import { judgeEvidence } from "./evidenceGossip.js";
import { type Misbehaviour, misbehavingTransport } from "./misbehave.js";
import { startStallReport } from "./stallReport.js";

export interface ValidatorOptions {
  node: ChainNode;
  p2p: P2pNode;
  /** This validator's BLS key; absent for a full node. */
  key?: { publicKey: Uint8Array; secretKey: SecretKey };
  /** Where the last-signed record lives (default `<dataDir>/last-signed.bin`). */
  signRecordPath?: string;
  timeouts?: TimeoutConfig;
  /** After each block, wait this long before the next height (default 1000): one block per interval, empty or not. */
  blockIntervalMs?: number;
  /** How often block sync looks whether this node is behind (default 1000 ms). */
  syncIntervalMs?: number;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
  /** Byzantine on purpose, for the end-to-end tests only (`misbehave.ts`). */
  misbehave?: Misbehaviour;
  /** Take a state snapshot to serve every this many blocks (`stateSyncServe.ts`; default 1000, 0: none). */
  snapshotInterval?: number;
}

export interface ValidatorService {
  readonly driver: ConsensusDriver;
  readonly app: ChainApplication;
  readonly sync: ChainSync;
  close(): void;
}

export async function startValidator(options: ValidatorOptions): Promise<ValidatorService> {
  const { node, p2p, key } = options;
  const staking = node.genesis.network?.staking;
  if (staking === undefined)
    throw new Error("a validator needs a network genesis (a staking contract and its set)");
  const chainId = node.options.chainId;
  const validators = stakingValidatorSource((k) => node.state.get(k), staking as Address);
  let evidence: GossipChannel | undefined;
  const app = new ChainApplication(node, {
    ...(key === undefined ? {} : { publicKey: key.publicKey }),
    validators,
    onEvidence: (e) => void evidence?.broadcast(encodeEvidence(e)),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  let driver: ConsensusDriver | undefined;
  /** Whether the driver has started (it drops the messages it is given before). */
  let started = false;
  let sync: ChainSync | undefined;
  const consensusHeight = () => driver?.currentHeight ?? node.head().number + 1;
  const pool = app.evidence;
  if (pool !== null)
    evidence = evidenceChannel(p2p, chainTopics(chainId), {
      validate: (bytes) => judgeEvidence(bytes, pool, consensusHeight()),
    });
  const judge = createConsensusJudge({
    chainId: chainId.toString(),
    validators,
    consensusHeight,
    headNumber: () => node.head().number,
    maxValueBytes: MAX_CONSENSUS_MESSAGE_BYTES - 256,
    onAhead: (height, checked) => sync?.noteAhead(height, checked),
    ready: () => started,
    // A decision of the height being decided is forwarded only once consensus committed it.
    decide: (decision, from) =>
      driver === undefined ? Promise.resolve("ahead") : driver.offerDecision(decision, from),
    committedValue: (height) => readValue(node.db, height),
  });
  const channel = consensusTransport(p2p, chainTopics(chainId), {
    validate: (bytes, from) => judge.judge(bytes, from),
  });
  driver = new ConsensusDriver({
    chainId: chainId.toString(),
    transport: misbehavingTransport(
      options.misbehave,
      {
        broadcast: (bytes) => {
          judge.remember(bytes);
          void channel.broadcast(bytes);
        },
        onMessage: (handler) => {
          channel.onMessage(handler);
        },
      },
      { key, node, validators, maxValueBytes: MAX_CONSENSUS_MESSAGE_BYTES - 256 },
    ),
    clock: { schedule: (ms, fire) => void setTimeout(fire, ms).unref() },
    validators,
    app,
    ...(key === undefined
      ? {}
      : {
          validator: {
            publicKey: key.publicKey,
            guard: new SignGuard(
              new FileSignRecordStore(
                options.signRecordPath ?? join(node.options.dataDir, "last-signed.bin"),
              ),
              key.secretKey,
            ),
            polka: new FilePolkaStore(join(node.options.dataDir, "polka.bin"), MAX_CONSENSUS_MESSAGE_BYTES),
          },
        }),
    timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
    maxValueBytes: MAX_CONSENSUS_MESSAGE_BYTES - 256,
    rebroadcastMs: 2_000,
    committed: (height) => storedDecision(node.db, height),
    // Peers further behind catch up by block sync (and their messages are not delivered here).
    answerHeights: OLD_HEIGHTS,
    commitWaitMs: options.blockIntervalMs ?? 1_000,
    onInvalid: (from, error) =>
      options.log?.("warn", "invalid consensus message", { from, error: error.message }),
    onCommit: (height, round) => options.log?.("info", "block decided", { height, round }),
    onAhead: (height) => sync?.noteAhead(height),
  });
  const running = driver;
  const following = await startChainSync({
    node,
    p2p,
    driver: running,
    validators,
    ...(options.syncIntervalMs === undefined ? {} : { intervalMs: options.syncIntervalMs }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  sync = following;
  const snapshots = await serveStateSync({
    node,
    p2p,
    interval: options.snapshotInterval ?? 1_000,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  await driver.start(node.head().number + 1);
  started = true;
  const stallReport = options.log === undefined ? undefined : startStallReport(running, p2p, options.log);
  return {
    driver: running,
    app,
    sync: following,
    close() {
      stallReport?.close();
      following.close();
      snapshots.close();
      running.stop();
      channel.close();
      evidence?.close();
    },
  };
}
