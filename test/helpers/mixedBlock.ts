/**
 * A block that touches everything the VM can do (token transfers, reverts, out of gas,
 * nested calls, native transfers, an invalid transaction, a deployment and a call to the
 * new contract in the same block), and a canonical digest of its result. Run directly,
 * it prints the digest: the determinism test compares it across processes.
 */
import { fileURLToPath } from "node:url";
import { loadArtifact } from "../../src/chain/artifacts.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import { encodeAbi } from "../../src/codec/abi.js";
import { contractAddress } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { encodeCall } from "../../src/codec/metadata.js";
import type { BlockResult } from "../../src/engine/types.js";
import { account } from "./chain.js";
import { TestChain } from "./contracts.js";

/** A stable text form of a block result: receipts in order, the write set sorted by key. */
export function digest(result: BlockResult<Receipt>): string {
  const receipts = result.receipts.map((r) => ({
    status: r.status,
    gasUsed: r.gasUsed,
    fee: r.fee.toString(),
    output: toHex(r.output),
    events: r.events.map((e) => ({ address: e.address, topics: e.topics, data: toHex(e.data) })),
    contractAddress: r.contractAddress ?? null,
    invalidReason: r.invalidReason ?? null,
  }));
  const writes = [...result.writeSet.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, v === null ? null : toHex(v)]);
  return JSON.stringify({ receipts, writes });
}

export function mixedBlock(): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const t = chain.deploy("token", ["Mix", "MIX", 6, 10n ** 12n, account(1)]);
  const p = chain.deploy("probe");
  for (let i = 2; i <= 6; i++) chain.runOne(t.tx(account(1), "transfer", [account(i), 1_000_000n]));

  const probe = loadArtifact("probe");
  const salt = new Uint8Array(32).fill(7);
  const fresh = contractAddress(account(7), salt, keccak256(probe.code), new Uint8Array(0));
  const freshCall = (method: string, args: unknown[]): Transaction => ({
    kind: "call",
    from: account(8),
    to: fresh,
    method,
    args: encodeCall(probe.metadata, method, args),
    value: 0n,
    gasLimit: 1_000_000,
    gasPrice: 1n,
  });

  const txs: Transaction[] = [
    t.tx(account(2), "transfer", [account(3), 10n]),
    t.tx(account(3), "transfer", [account(4), 2_000_000n]), // reverts: insufficient balance
    { kind: "transfer", from: account(5), to: account(6), amount: 123n, gasLimit: 21_000, gasPrice: 2n },
    p.tx(account(4), "spin", [], { gasLimit: 100_000 }), // out of gas
    t.tx(account(4), "approve", [account(5), 500n]),
    t.tx(account(5), "transferFrom", [account(4), account(6), 300n]),
    p.tx(account(6), "callAndCatch", [
      t.address,
      "transfer",
      encodeAbi(["address", "u128"], [account(1), 1n]),
      0n,
      0n,
    ]),
    { kind: "transfer", from: account(99), to: account(1), amount: 1n, gasLimit: 21_000, gasPrice: 1n }, // invalid
    chain.deployTx(probe, [], account(7), salt),
    freshCall("set", ["k", "v"]),
    freshCall("get", ["k"]),
    p.tx(account(2), "note", ["topic", 3, "data", 9n]),
    t.tx(account(6), "transfer", [account(2), 1n]),
    p.tx(account(3), "recurse", [10_000_000], { gasLimit: 50_000_000 }), // stack exhausted
  ];
  return { chain, txs };
}

export function runMixedBlock(): string {
  const { chain, txs } = mixedBlock();
  return digest(chain.run(txs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(runMixedBlock());
