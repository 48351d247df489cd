// Solidity's built-in revert forms decoded without an ABI: Error(string) (require and
// revert("...")) and Panic(uint256) (failed asserts, overflow, division by zero...).

const PANICS = {
  0: "generic panic",
  1: "assertion failed",
  17: "arithmetic overflow or underflow",
  18: "division or modulo by zero",
  33: "invalid enum value",
  34: "invalid storage byte array",
  49: "pop from an empty array",
  50: "array index out of bounds",
  65: "out of memory",
  81: "call to an uninitialised function",
};

/** The word at byte `at` of hex `body` (no 0x), or null past its end. */
function word(body, at) {
  const hex = body.slice(at * 2, at * 2 + 64);
  return hex.length === 64 ? BigInt(`0x${hex}`) : null;
}

/**
 * Revert data (0x hex) as `{ name: "Error", message }` or `{ name: "Panic", code, meaning }`;
 * null for anything else (a custom error needs the contract's ABI).
 */
export function decodeEthRevert(output) {
  if (typeof output !== "string" || !/^0x[0-9a-fA-F]*$/.test(output) || output.length < 2 + 8 + 64)
    return null;
  const selector = output.slice(2, 10).toLowerCase();
  const body = output.slice(10);
  if (selector === "4e487b71") {
    const code = word(body, 0);
    const meaning = code < 0x100n ? PANICS[Number(code)] : undefined;
    return { name: "Panic", code, meaning: meaning ?? "unknown panic code" };
  }
  if (selector !== "08c379a0") return null;
  const size = body.length / 2;
  const offset = word(body, 0);
  if (offset === null || offset > BigInt(size)) return null;
  const length = word(body, Number(offset));
  const start = Number(offset) + 32;
  if (length === null || length > BigInt(size - start)) return null;
  const bytes = new Uint8Array(Number(length));
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(body.slice((start + i) * 2, (start + i) * 2 + 2), 16);
  return { name: "Error", message: new TextDecoder().decode(bytes) };
}
