// What the explorer knows about addresses: the genesis contracts and dev accounts (from
// /explorer/metadata.json), contracts recognised later by their code hash (shipped code,
// or code whose metadata was verified with the node: weft_getContractMetadata), and token
// symbols and decimals read from the chain. EVM contracts whose Solidity source was verified
// (weft_getEvmSource) get their contract's name and `evm`: the ABI with its selectors and topics.

import { decodeAbi, eventByTopic } from "./abi.js";
import { batch, resultOr } from "./rpc.js";

// `votesToken` (WGOV) is an ERC-20 as well: its amounts show in its units.
const TOKEN_ARTIFACTS = new Set(["token", "pair", "votesToken"]);

export class Registry {
  /** `data` is the answer of /explorer/metadata.json. */
  constructor(data) {
    this.data = data;
    this.artifacts = data.artifacts ?? {};
    this.codeHashes = data.codeHashes ?? {};
    this.known = new Map();
    this.identified = new Map();
    /** Addresses already looked up (known or not), so each is asked about once. */
    this.checked = new Set();
    this.tokenInfos = new Map();
    /** Metadata verified with the node, by code hash. */
    this.verified = new Map();
    for (const [name, c] of Object.entries(data.contracts ?? {})) {
      this.known.set(c.address.toLowerCase(), {
        name,
        artifact: c.artifact,
        meta: c.metadata ?? this.artifacts[c.artifact] ?? null,
        kind: "contract",
      });
    }
    // Named as the CLI names them (`--from dev0`, `eth0`): search finds them by that name.
    (data.accounts ?? []).forEach((a, i) => {
      this.known.set(a.address.toLowerCase(), {
        name: `dev account ${i} (dev${i})`,
        alias: `dev${i}`,
        artifact: a.artifact,
        meta: a.artifact ? (this.artifacts[a.artifact] ?? null) : null,
        kind: "account",
      });
    });
    (data.ethAccounts ?? []).forEach((address, i) => {
      this.known.set(address.toLowerCase(), {
        name: `Ethereum dev account ${i} (eth${i})`,
        alias: `eth${i}`,
        artifact: null,
        meta: null,
        kind: "eoa",
      });
    });
  }

  static async load() {
    const res = await fetch("/explorer/metadata.json");
    if (!res.ok) throw new Error(`metadata.json: HTTP ${res.status}`);
    return new Registry(await res.json());
  }

  /** What is known without asking the node: `{ name, artifact, meta, kind }` or undefined. */
  label(address) {
    if (typeof address !== "string") return undefined;
    const a = address.toLowerCase();
    return this.known.get(a) ?? this.identified.get(a) ?? undefined;
  }

  /** The genesis contract called `name` (e.g. "wusd"). */
  byName(name) {
    const c = this.data.contracts?.[name];
    return c ? { address: c.address.toLowerCase(), ...this.known.get(c.address.toLowerCase()) } : undefined;
  }

  /**
   * Contracts whose name, or token symbol or name, is `text` (any case): the genesis contracts
   * and accounts (also by their CLI names, `dev0`, `eth0`), the genesis tokens (their symbol and name read from the chain), and the
   * contracts identified so far (deployed shipped code, verified metadata or Solidity source).
   * `[{ address, name }]`, exact matches first, then names that start with `text`.
   */
  async findByName(text) {
    const q = text.trim().toLowerCase();
    if (q === "") return [];
    await this.tokenInfo(this.tokens().map((t) => t.address));
    const named = [];
    for (const [address, label] of [...this.known, ...this.identified]) {
      named.push([address, label.name]);
      if (label.alias) named.push([address, label.alias]);
    }
    for (const [address, info] of this.tokenInfos) named.push([address, info.symbol], [address, info.name]);
    const exact = [];
    const prefix = [];
    for (const [address, name] of named) {
      if (typeof name !== "string" || name === "") continue;
      const n = name.toLowerCase();
      const list = n === q ? exact : n.startsWith(q) ? prefix : undefined;
      if (list && !list.some((x) => x.address === address)) list.push({ address, name });
    }
    return [...exact, ...prefix.filter((p) => !exact.some((x) => x.address === p.address))];
  }

  contractNames() {
    return Object.keys(this.data.contracts ?? {});
  }

  /** Looks up unknown addresses' code hashes: contracts deployed from shipped code get a label. */
  async identifyMany(addresses) {
    const unknown = [
      ...new Set(
        addresses.map((a) => a?.toLowerCase()).filter((a) => a && !this.label(a) && !this.checked.has(a)),
      ),
    ];
    if (unknown.length === 0) return;
    for (const a of unknown) this.checked.add(a);
    const answers = await batch(unknown.map((a) => ["weft_getAccount", [a]]));
    const unshipped = [];
    const evm = [];
    unknown.forEach((a, i) => {
      const codeHash = resultOr(answers[i], null)?.codeHash;
      if (resultOr(answers[i], null)?.evmCodeHash) evm.push(a);
      const artifact = codeHash ? this.codeHashes[codeHash] : undefined;
      if (codeHash && !artifact) unshipped.push(a);
      if (artifact) {
        this.identified.set(a, {
          name: artifact,
          artifact,
          meta: this.artifacts[artifact] ?? null,
          kind: artifact.endsWith("Account") ? "account" : "contract",
          deployed: true,
        });
      }
    });
    if (unshipped.length > 0) await this.identifyVerified(unshipped);
    if (evm.length > 0) await this.identifyEvm(evm);
  }

  /** EVM contracts whose Solidity source was verified with the node (`weft verify <address> <file.sol>`). */
  async identifyEvm(addresses) {
    const answers = await batch(addresses.map((a) => ["weft_getEvmSource", [a, { sources: false }]]));
    addresses.forEach((a, i) => {
      const found = resultOr(answers[i], null);
      if (!found?.abi) return;
      this.identified.set(a, {
        name: found.name,
        artifact: found.name,
        meta: null,
        evm: found,
        kind: "contract",
        deployed: true,
        verified: true,
      });
    });
  }

  /** Contracts whose metadata was verified with the node (`weft verify`). */
  async identifyVerified(addresses) {
    const answers = await batch(addresses.map((a) => ["weft_getContractMetadata", [a]]));
    addresses.forEach((a, i) => {
      const found = resultOr(answers[i], null);
      if (!found?.metadata) return;
      this.verified.set(found.codeHash, found.metadata);
      this.identified.set(a, {
        name: found.name,
        artifact: found.name,
        meta: found.metadata,
        kind: found.metadata.methods.some((m) => m.name === "validate") ? "account" : "contract",
        deployed: true,
        verified: true,
      });
    });
  }

  /** Metadata for `address`, if known. */
  meta(address) {
    return this.label(address)?.meta ?? null;
  }

  /** Every shipped artifact's metadata, then the verified ones met so far. */
  allMetas() {
    return [...Object.values(this.artifacts), ...this.verified.values()];
  }

  /** The first shipped artifact declaring an event with topic 0 `topic`. */
  metaByTopic(topic) {
    return this.allMetas().find((m) => eventByTopic(m, topic));
  }

  /** Genesis contracts that hold token balances (ERC-20s and the pool's LP token). */
  tokens() {
    return Object.entries(this.data.contracts ?? {})
      .filter(([, c]) => TOKEN_ARTIFACTS.has(c.artifact))
      .map(([name, c]) => ({
        name,
        address: c.address.toLowerCase(),
        meta: this.known.get(c.address.toLowerCase())?.meta,
      }));
  }

  /** Whether `address` is an ERC-721 collection (its metadata has `ownerOf`): its token ids link to the NFT page. */
  isNft(address) {
    return this.meta(address)?.methods?.some((m) => m.name === "ownerOf") === true;
  }

  isToken(address) {
    return TOKEN_ARTIFACTS.has(this.label(address)?.artifact);
  }

  /** `{ symbol, decimals, name }` of token contracts, read once. */
  async tokenInfo(addresses) {
    const missing = addresses.filter((a) => this.isToken(a) && !this.tokenInfos.has(a.toLowerCase()));
    if (missing.length > 0) {
      const requests = [];
      for (const a of missing)
        for (const m of ["symbol", "decimals", "name"]) requests.push(["weft_call", [{ to: a, method: m }]]);
      const answers = await batch(requests);
      missing.forEach((a, i) => {
        const read = (k, type, fallback) => {
          const r = resultOr(answers[3 * i + k], null);
          if (r?.status !== "success") return fallback;
          try {
            return decodeAbi([type], r.output)[0];
          } catch {
            return fallback;
          }
        };
        this.tokenInfos.set(a.toLowerCase(), {
          symbol: read(0, "string", this.label(a)?.name ?? "?"),
          decimals: Number(read(1, "u8", 18n)),
          name: read(2, "string", ""),
        });
      });
    }
    return addresses.map((a) => this.tokenInfos.get(a.toLowerCase()));
  }

  /** The token info if already read (sync). */
  token(address) {
    return typeof address === "string" ? this.tokenInfos.get(address.toLowerCase()) : undefined;
  }
}
