/**
 * Real Ethereum clients against a started node, as a user drives them: viem and ethers v6
 * transfer coin from the test mnemonic's accounts and wait for receipts; an ERC-20 compiled
 * by solc-js is deployed, called, and its events and balances read back; viem decodes a
 * custom error and a `require` reason from the revert data; `eth_subscribe` logs are
 * followed over the WebSocket; refusals come back as the clients' typed errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import {
  type Abi,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  parseEther,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { fromHex } from "../../../src/codec/bytes.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { type MerkleProofJson, proofFromJson, verifyProof } from "../../../src/state/merkle/index.js";
import { call } from "../../helpers/rpcServer.js";
import { compileSolidity } from "../../helpers/solc.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";
import { viemChain } from "../../helpers/viemChain.js";

interface ProvenKey {
  stateKey: string;
  proof: MerkleProofJson;
}
/** `weft_getEvmProof`'s answer. */
interface EvmProof {
  balance: string;
  nonce: string;
  codeHash: Hex;
  accountProof: { balance: ProvenKey; nonce: ProvenKey; codeHash: ProvenKey };
  storageProof: Array<ProvenKey & { key: Hex; value: string }>;
  stateRoot: string;
}

const SOURCE = fileURLToPath(new URL("../../../../test/fixtures/evm/WeftToken.sol", import.meta.url));
const hexKey = (key: Uint8Array): Hex => `0x${Buffer.from(key).toString("hex")}`;
const SUPPLY = 1_000_000n * 10n ** 18n;

describe("Ethereum clients drive the node", () => {
  let node: TestNode;
  let token: { abi: Abi; bytecode: Hex };
  const keys = ethDevKeys(4).map((k) => hexKey(k.privateKey));
  const key = (i: number): Hex => {
    const found = keys[i];
    if (found === undefined) throw new Error(`no dev key ${i}`);
    return found;
  };
  const [alice, bob, carol, dave] = [0, 1, 2, 3].map((i) => privateKeyToAccount(key(i))) as [
    ReturnType<typeof privateKeyToAccount>,
    ReturnType<typeof privateKeyToAccount>,
    ReturnType<typeof privateKeyToAccount>,
    ReturnType<typeof privateKeyToAccount>,
  ];
  let chain: Chain;
  let tokenAddress: Hex;

  before(async () => {
    token = compileSolidity(SOURCE, "WeftToken");
    node = await startEthTestNode((config) => {
      config.blockTimeMs = 50;
    });
    chain = viemChain(node);
  });
  after(() => node?.close());

  const clients = () => {
    const publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 50 });
    const wallet = (account: typeof alice) =>
      createWalletClient({ chain, account, transport: http(node.url), pollingInterval: 50 });
    return { publicClient, wallet };
  };

  it("viem: transfers coin, waits for the receipt, reads balances and the transaction", async () => {
    const { publicClient, wallet } = clients();
    const before = await publicClient.getBalance({ address: dave.address });
    const hash = await wallet(alice).sendTransaction({
      account: alice,
      chain,
      to: dave.address,
      value: parseEther("1.5"),
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.from, alice.address.toLowerCase());
    assert.equal(receipt.to, dave.address.toLowerCase());
    assert.equal(receipt.gasUsed, 21_000n);
    assert.equal(receipt.cumulativeGasUsed >= receipt.gasUsed, true);
    assert.equal(receipt.effectiveGasPrice > 0n, true);
    assert.equal(receipt.contractAddress, null);
    assert.equal(await publicClient.getBalance({ address: dave.address }), before + parseEther("1.5"));
    const tx = await publicClient.getTransaction({ hash });
    assert.equal(tx.blockHash, receipt.blockHash);
    assert.equal(tx.type, "eip1559");
    assert.equal(tx.value, parseEther("1.5"));
    const block = await publicClient.getBlock({ blockHash: receipt.blockHash, includeTransactions: true });
    assert.equal(
      block.transactions.some((t) => t.hash === hash),
      true,
    );
    assert.equal(await publicClient.getTransactionCount({ address: alice.address }), 1);
  });

  it("ethers v6: transfers coin and waits; a reused nonce is refused as NONCE_EXPIRED", async () => {
    const provider = new JsonRpcProvider(node.url, Number(node.config.chainId), { staticNetwork: true });
    provider.pollingInterval = 50;
    try {
      const signer = new Wallet(key(1), provider);
      const before = await provider.getBalance(dave.address);
      const sent = await signer.sendTransaction({ to: dave.address, value: 12345n });
      const receipt = await sent.wait(1, 60_000);
      assert.equal(receipt?.status, 1);
      // A second provider: ethers keeps a request's answer for 250 ms, and the first read was
      // the same request (seen: the balance from before the transfer, read after its receipt).
      const fresh = new JsonRpcProvider(node.url, Number(node.config.chainId), { staticNetwork: true });
      try {
        assert.equal(await fresh.getBalance(dave.address), before + 12345n);
      } finally {
        fresh.destroy();
      }
      await assert.rejects(
        signer.sendTransaction({ to: dave.address, value: 1n, nonce: sent.nonce }),
        (error: { code?: string }) => error.code === "NONCE_EXPIRED",
      );
    } finally {
      provider.destroy();
    }
  });

  it("viem: deploys a solc-compiled ERC-20, transfers, reads events and balances; ethers reads it too", async () => {
    const { publicClient, wallet } = clients();
    const deployHash = await wallet(alice).deployContract({
      account: alice,
      chain,
      abi: token.abi,
      bytecode: token.bytecode,
      args: [SUPPLY],
    });
    const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash, timeout: 60_000 });
    assert.equal(deployed.status, "success");
    assert.ok(deployed.contractAddress);
    tokenAddress = deployed.contractAddress as Hex;
    assert.notEqual(await publicClient.getCode({ address: tokenAddress }), undefined);

    const { request } = await publicClient.simulateContract({
      account: alice,
      address: tokenAddress,
      abi: token.abi,
      functionName: "transfer",
      args: [bob.address, 250n],
    });
    const hash = await wallet(alice).writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.logs.length, 1);
    const balance = (address: Hex) =>
      publicClient.readContract({
        address: tokenAddress,
        abi: token.abi,
        functionName: "balanceOf",
        args: [address],
      });
    assert.equal(await balance(bob.address), 250n);
    assert.equal(await balance(alice.address), SUPPLY - 250n);
    // At the deployment's block, before the transfer: the node keeps recent blocks' states.
    const before = await publicClient.readContract({
      address: tokenAddress,
      abi: token.abi,
      functionName: "balanceOf",
      args: [bob.address],
      blockNumber: deployed.blockNumber,
    });
    assert.equal(before, 0n);

    const events = await publicClient.getContractEvents({
      address: tokenAddress,
      abi: token.abi,
      eventName: "Transfer",
      fromBlock: deployed.blockNumber,
    });
    assert.equal(events.length, 2); // the mint, then the transfer
    const last = events[1] as unknown as {
      args: { from: Hex; to: Hex; value: bigint };
      transactionHash: Hex;
    };
    assert.equal(last.transactionHash, hash);
    assert.equal(last.args.to, bob.address);
    assert.equal(last.args.value, 250n);

    const provider = new JsonRpcProvider(node.url, Number(node.config.chainId), { staticNetwork: true });
    try {
      const erc20 = new Contract(tokenAddress, token.abi as never, provider);
      assert.equal(await erc20.getFunction("balanceOf")(bob.address), 250n);
      const blockTag = Number(deployed.blockNumber);
      assert.equal(await erc20.getFunction("balanceOf")(bob.address, { blockTag }), 0n);
      assert.equal(await erc20.getFunction("symbol")(), "WTT");
    } finally {
      provider.destroy();
    }
  });

  it("eth_getProof is refused with -32004 naming weft_getEvmProof, whose proofs check against the state root; earlier blocks' state is refused with -32000", async () => {
    const { publicClient } = clients();
    const rpcCode = (error: unknown): number | undefined => {
      let code: number | undefined;
      if (error instanceof BaseError)
        error.walk((e) => {
          if (typeof (e as { code?: unknown }).code === "number") code = (e as { code: number }).code;
          return false;
        });
      return code;
    };
    const proofError = await publicClient.getProof({ address: tokenAddress, storageKeys: [] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.equal(rpcCode(proofError), -32004, String(proofError));
    assert.match(String((proofError as BaseError).details), /weft_getEvmProof/);

    // The token's balance of alice: mapping slot 3 (name, symbol, totalSupply, balanceOf).
    const slot = keccak256(
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [alice.address, 3n]),
    );
    const held = (await publicClient.readContract({
      address: tokenAddress,
      abi: token.abi,
      functionName: "balanceOf",
      args: [alice.address],
    })) as bigint;
    const answer = (await call(node.url, "weft_getEvmProof", [tokenAddress, [slot, "0x1234"]])) as {
      result: EvmProof;
    };
    const proof = answer.result;
    const root = fromHex(proof.stateRoot);
    const [balanceSlot, emptySlot] = proof.storageProof as [
      EvmProof["storageProof"][0],
      EvmProof["storageProof"][0],
    ];
    assert.equal(BigInt(balanceSlot.value), held);
    assert.equal(balanceSlot.key, slot);
    const digits = held.toString(16);
    const stored = fromHex(digits.length % 2 === 0 ? digits : `0${digits}`); // big-endian, no leading zeros
    assert.ok(verifyProof(root, balanceSlot.stateKey, stored, proofFromJson(balanceSlot.proof)));
    assert.equal(emptySlot.value, "0x0");
    assert.ok(
      verifyProof(root, emptySlot.stateKey, undefined, proofFromJson(emptySlot.proof)),
      "absence proven",
    );
    assert.equal(proof.nonce, "0x1", "EIP-161: a contract's nonce starts at 1");
    assert.ok(
      verifyProof(
        root,
        proof.accountProof.nonce.stateKey,
        Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0),
        proofFromJson(proof.accountProof.nonce.proof),
      ),
    );
    assert.equal(proof.codeHash, keccak256((await publicClient.getCode({ address: tokenAddress })) as Hex));
    assert.ok(
      verifyProof(
        root,
        proof.accountProof.codeHash.stateKey,
        fromHex(proof.codeHash),
        proofFromJson(proof.accountProof.codeHash.proof),
      ),
    );

    // Proofs are the head's only (the Merkle tree keeps the head's nodes); the values of an
    // earlier block come from the state methods at that block.
    const head = await publicClient.getBlockNumber();
    const earlier = (await call(node.url, "weft_getEvmProof", [
      tokenAddress,
      [slot],
      `0x${(head - 1n).toString(16)}`,
    ])) as {
      error?: { code: number; message: string };
    };
    assert.equal(earlier.error?.code, -32000);
    assert.match(earlier.error?.message ?? "", /answers at the head \(\d+\) only/);
  });

  it("viem decodes a custom error and a require reason from the revert data", async () => {
    const { publicClient } = clients();
    const reverted = async (functionName: string, args: unknown[]) => {
      try {
        await publicClient.simulateContract({
          account: carol,
          address: tokenAddress,
          abi: token.abi,
          functionName,
          args,
        });
      } catch (error) {
        assert.ok(error instanceof BaseError, String(error));
        const cause = error.walk((e) => e instanceof ContractFunctionRevertedError);
        assert.ok(cause instanceof ContractFunctionRevertedError, error.message);
        return cause;
      }
      assert.fail(`${functionName} did not revert`);
    };
    const custom = await reverted("transfer", [dave.address, 5n]);
    assert.equal(custom.data?.errorName, "InsufficientBalance");
    assert.deepEqual(custom.data?.args, [carol.address, 0n, 5n]);
    const required = await reverted("transferFrom", [alice.address, carol.address, 1n]);
    assert.equal(required.reason, "allowance exceeded");
  });

  it("follows eth_subscribe logs over the WebSocket while a transfer is mined", async () => {
    const ws = createPublicClient({ chain, transport: webSocket(node.url.replace(/^http/, "ws")) });
    const { wallet } = clients();
    try {
      const seen = new Promise<{ args: { to: Hex; value: bigint } }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no Transfer log within 60 s")), 60_000);
        const stop = ws.watchContractEvent({
          address: tokenAddress,
          abi: token.abi,
          eventName: "Transfer",
          onLogs: (logs) => {
            clearTimeout(timer);
            stop();
            resolve(logs[0] as unknown as { args: { to: Hex; value: bigint } });
          },
          onError: reject,
        });
      });
      // The subscription is registered before the transfer is sent (eth_subscribe answered).
      await new Promise((resolve) => setTimeout(resolve, 200));
      await wallet(alice).writeContract({
        account: alice,
        address: tokenAddress,
        abi: token.abi,
        functionName: "transfer",
        args: [carol.address, 7n],
        chain,
      });
      const log = await seen;
      assert.equal(log.args.to, carol.address);
      assert.equal(log.args.value, 7n);
    } finally {
      await ws.transport
        .getRpcClient?.()
        .then((c) => c.close())
        .catch(() => undefined);
    }
  });
});
