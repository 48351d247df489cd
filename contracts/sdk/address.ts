/** A 20-byte account or contract address. */

export class Address {
  constructor(public bytes: Uint8Array) {
    if (bytes.length != 20) abort("an address is 20 bytes");
  }

  static zero(): Address {
    return new Address(new Uint8Array(20));
  }

  isZero(): bool {
    const p = this.bytes.dataStart;
    return (load<u64>(p) | load<u64>(p + 8) | <u64>load<u32>(p + 16)) == 0;
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
    const a = this.bytes.dataStart;
    const b = other.bytes.dataStart;
    return (
      load<u64>(a) == load<u64>(b) &&
      load<u64>(a + 8) == load<u64>(b + 8) &&
      load<u32>(a + 16) == load<u32>(b + 16)
    );
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
