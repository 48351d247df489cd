/** A 20-byte account or contract address. */

export class Address {
  constructor(public bytes: Uint8Array) {
    if (bytes.length != 20) abort("an address is 20 bytes");
  }

  static zero(): Address {
    return new Address(new Uint8Array(20));
  }

  isZero(): bool {
    for (let i = 0; i < 20; i++) if (unchecked(this.bytes[i]) != 0) return false;
    return true;
  }

  /** Byte-wise order (the order pairs sort their tokens in). */
  lessThan(other: Address): bool {
    for (let i = 0; i < 20; i++) {
      const a = unchecked(this.bytes[i]);
      const b = unchecked(other.bytes[i]);
      if (a != b) return a < b;
    }
    return false;
  }

  equals(other: Address): bool {
    for (let i = 0; i < 20; i++) if (unchecked(this.bytes[i]) != unchecked(other.bytes[i])) return false;
    return true;
  }

  @operator("==")
  static eq(a: Address, b: Address): bool {
    return a.equals(b);
  }

  @operator("!=")
  static ne(a: Address, b: Address): bool {
    return !a.equals(b);
  }
}

/** A 32-byte value (hashes, ids). */
export class Bytes32 {
  constructor(public bytes: Uint8Array) {
    if (bytes.length != 32) abort("a bytes32 is 32 bytes");
  }

  static zero(): Bytes32 {
    return new Bytes32(new Uint8Array(32));
  }
}
