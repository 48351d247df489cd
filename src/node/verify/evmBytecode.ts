/**
 * Comparing compiled runtime bytecode with the code deployed at an address, as Sourcify
 * and Etherscan do:
 *
 * - **Immutables.** solc leaves each `immutable` variable's bytes as zeros in the runtime
 *   code it outputs; the constructor writes the values into the deployed copy. The
 *   compiler's `immutableReferences` ({ id: [{ start, length }] }) say where: those ranges
 *   are zeroed in the deployed code before comparing (and must be zeros in the compiled).
 * - **The metadata tail.** solc appends a CBOR map (the IPFS/Swarm hash of the metadata
 *   JSON, the compiler version) followed by its length as 2 big-endian bytes. Sources that
 *   differ only in comments or whitespace, or in the path of a file, compile to the same
 *   code but a different tail. Equal with the tail: a **full** match (these exact sources);
 *   equal without it: a **partial** match (the same code from sources that differ only
 *   where the metadata hash sees it). Only the outermost tail is cut: a contract that embeds
 *   another's creation code (`new C()`) carries that one's tail inside, which must match.
 */

export type RuntimeMatch = "full" | "partial";

export interface ImmutableRange {
  start: number;
  length: number;
}

/** `immutableReferences` as solc gives it: the AST id of each immutable → where its bytes are. */
export type ImmutableReferences = Record<string, ImmutableRange[]>;

/** The length of `code`'s CBOR metadata tail with its 2 length bytes, or 0 when it has none. */
export function metadataTailLength(code: Uint8Array): number {
  const n = code.length;
  if (n < 2) return 0;
  const cbor = ((code[n - 2] as number) << 8) | (code[n - 1] as number);
  if (cbor === 0 || cbor + 2 > n) return 0;
  // The tail is one CBOR map: its first byte's major type is 5 (0xa0..0xbf).
  return ((code[n - 2 - cbor] as number) & 0xe0) === 0xa0 ? cbor + 2 : 0;
}

/** `code` with every immutable's range zeroed (a copy); undefined when a range runs past the end. */
export function withImmutablesZeroed(code: Uint8Array, refs: ImmutableReferences): Uint8Array | undefined {
  const out = code.slice();
  for (const ranges of Object.values(refs))
    for (const { start, length } of ranges) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0)
        return undefined;
      if (start + length > out.length) return undefined;
      out.fill(0, start, start + length);
    }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Where `a` and `b` first differ (the shorter one's length when one is a prefix of the other). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

export type RuntimeComparison =
  | { match: RuntimeMatch }
  | { match: null; deployedLength: number; compiledLength: number; firstDifference: number };

/**
 * Compares `compiled` (solc's `deployedBytecode`, immutables as zeros) with `deployed` (the
 * code at the address): full, partial (equal but for the metadata tail), or where they differ.
 */
export function compareRuntime(
  deployed: Uint8Array,
  compiled: Uint8Array,
  refs: ImmutableReferences,
): RuntimeComparison {
  const zeroed = withImmutablesZeroed(deployed, refs);
  const mine = withImmutablesZeroed(compiled, refs);
  if (zeroed !== undefined && mine !== undefined) {
    if (sameBytes(zeroed, mine)) return { match: "full" };
    const ours = metadataTailLength(mine);
    const theirs = metadataTailLength(zeroed);
    if (ours > 0 && theirs > 0) {
      const a = zeroed.subarray(0, zeroed.length - theirs);
      const b = mine.subarray(0, mine.length - ours);
      if (sameBytes(a, b)) return { match: "partial" };
    }
  }
  return {
    match: null,
    deployedLength: deployed.length,
    compiledLength: compiled.length,
    firstDifference: firstDifference(zeroed ?? deployed, mine ?? compiled),
  };
}
