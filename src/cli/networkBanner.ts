/**
 * What `weft node` prints on a validator network (`--genesis <file>`): what this node is (a
 * validator or a full node), the network it is on (chain id, genesis file and hash, the
 * validator set), where peers reach it (its p2p multiaddrs, to give others as `--peers`) and
 * where its JSON-RPC is. No development keys: they are for a local chain of one node.
 */

import type { SetMember } from "../chain/staking/validatorSet.js";
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

/**
 * What a node with validator key `blsKey` is in `set` (the current epoch's active set, in the
 * contract's order: stake descending): a voting member with its rank, or a key that is not in
 * the set (not registered, or registered but outranked): it does not vote until it is.
 */
export function validatorRole(
  blsKey: Uint8Array,
  keyFile: string,
  set: ReadonlyArray<{ blsKey: Uint8Array; address: Address }> | undefined,
): string {
  const key = `0x${toHex(blsKey)}`;
  const base = `BLS key ${key}, from ${keyFile}`;
  if (set === undefined) return `validator (${base}; the active set is unknown)`;
  const rank = set.findIndex((m) => toHex(m.blsKey) === toHex(blsKey));
  if (rank < 0)
    return `validator key holder NOT in the active set (${set.length} validators): it does not vote until its stake ranks it in (weft validator list) (${base})`;
  return `validator in the active set, rank ${rank + 1} of ${set.length} by stake (operator ${set[rank]?.address}; ${base})`;
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
  let set: SetMember[] | undefined;
  try {
    const source = stakingValidatorSource((k) => node.state.get(k), staking as Address);
    set = staking === undefined ? undefined : source.stakingSetAt(node.head().number + 1).validators;
  } catch {
    set = undefined; // an epoch the state no longer holds: left out
  }
  const setSize = set?.length;
  const role =
    validatorKey === undefined
      ? "full node (no validator key: follows the chain and serves it, does not vote)"
      : validatorRole(loadValidatorKey(validatorKey).publicKey, validatorKey, set);
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
