/**
 * A hostile fixture for the node's bounds: `flood(count, size)` emits `count` events of
 * `size` bytes of raw data each (one topic), and `echo(size)` returns `size` bytes, as far
 * as the gas allows. It reuses one buffer and calls the host's `emit` directly, so its
 * memory never grows: one such transaction at 320M gas once emitted ~313 MB of events and
 * halted block production.
 */
import * as host from "../../sdk/host";

export function flood(count: u32, size: u32): void {
  const data = new Uint8Array(size);
  for (let i: u32 = 0; i < size; i++) data[i] = <u8>(i & 0xff);
  const topic = new Uint8Array(32);
  topic[0] = 0xf1;
  for (let i: u32 = 0; i < count; i++) host.emit(topic.dataStart, 1, data.dataStart, size);
}

export function echo(size: u32): Uint8Array {
  return new Uint8Array(size);
}
