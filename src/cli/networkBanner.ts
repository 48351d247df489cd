/**
 * What `weft node` prints on a validator network (`--genesis <file>`): what this node is (a
 * validator or a full node), the network it is on (chain id, genesis file and hash, the
 * validator set), where peers reach it (its p2p multiaddrs, to give others as `--peers`) and
 * where its JSON-RPC is. No development keys: they are for a local chain of one node.
 */

import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import type { RunningNode } from "../node/server.js";
import { stakingValidatorSource } from "../node/stakingConsensus.js";
import { loadValidatorKey } from "../node/validatorKey.js";

export interface NetworkBannerInput {
  running: Pick<RunningNode, "node" | "address" | "network">;
  genesisFile: string;
  validatorKey: string | undefined;
  peers: readonly string[];
}

export function networkBannerLines({
  running,
  genesisFile,
  validatorKey,
  peers,
}: NetworkBannerInput): string[] {
  const { node, address, network } = running;
  const url = address.url.replace(/\/$/, "");
  const genesis = node.db.block(0)?.header;
  const staking = node.genesis.network?.staking;
  let setSize: number | undefined;
  try {
    const source = stakingValidatorSource((k) => node.state.get(k), staking as Address);
    setSize =
      staking === undefined ? undefined : source.stakingSetAt(node.head().number + 1).validators.length;
  } catch {
    setSize = undefined; // an epoch the state no longer holds: left out
  }
  const role =
    validatorKey === undefined
      ? "full node (no validator key: follows the chain and serves it, does not vote)"
      : `validator (BLS key 0x${toHex(loadValidatorKey(validatorKey).publicKey)}, from ${validatorKey})`;
  const multiaddrs = network?.p2p.multiaddrs() ?? [];
  return [
    "",
    `Weft validator network: this node is a ${role}`,
    `  chain id   ${node.options.chainId}`,
    `  genesis    ${genesisFile}`,
    `  block 0    ${genesis?.hash ?? "(none)"}`,
    `  validators ${setSize === undefined ? "unknown" : `${setSize} in the current set`} (staking contract ${staking ?? "none"})`,
    `  head       block ${node.head().number}`,
    ...(multiaddrs.length === 0
      ? ["  p2p        not listening"]
      : multiaddrs.map((a, i) => `  ${i === 0 ? "p2p       " : "          "} ${a}`)),
    `  peers      ${peers.length === 0 ? "none given (--peers)" : `${peers.length} given (--peers)`}`,
    `  JSON-RPC   ${url}  (WebSocket ${address.wsUrl})`,
    `  explorer   ${url}/explorer`,
    `  metrics    ${url}/metrics`,
    "",
    ...(multiaddrs.length === 0
      ? []
      : [
          "Another node joins through this one with:",
          `  weft node --genesis ${genesisFile} --peers ${multiaddrs[0]} --data-dir <dir> --port <port>`,
        ]),
    `weft_status (JSON-RPC) reports the connected peers and whether the node is syncing.`,
    "Ctrl-C stops the node; starting it again resumes the chain.",
    "",
  ];
}
