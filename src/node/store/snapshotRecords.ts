/**
 * Dev mode's snapshots as the chain database keeps them (`dev/snapshots.ts` encodes each
 * one): the `snapshots` database (id u64 BE → record, opened when dev mode first uses it, so
 * a chain that never took a snapshot keeps the layout it had) and, in `meta`, `nextSnapshot`
 * and `snapshotBytes` (each record's size, so that the total is known without reading them).
 */
import type { Database, RootDatabase } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import type { ChainDb } from "./chainDbApi.js";
import { json, u64 } from "./encodeBlock.js";

type Bin = Database<Uint8Array, Uint8Array>;

/** The snapshot methods of `ChainDb` over `root`, its `meta` database and `meta`'s guarded reader (`ChainDb.meta`). */
export function snapshotRecords(
  root: RootDatabase<Uint8Array, Uint8Array>,
  metaDb: Bin,
  meta: ChainDb["meta"],
): Pick<ChainDb, "snapshot" | "putSnapshot" | "removeSnapshots" | "snapshotBytes" | "snapshotIds"> {
  let snapshotsDb: Bin | undefined;
  const snapshots = (): Bin => {
    snapshotsDb ??= root.openDB({ name: "snapshots", keyEncoding: "binary", encoding: "binary" }) as Bin;
    return snapshotsDb;
  };
  const snapshot = (id: number) => snapshots().getBinary(u64(id)) ?? undefined;
  const snapshotIds = () =>
    [...snapshots().getKeys({})].map((k) => Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0)));
  const snapshotBytes = () => {
    const known = new Map(meta<Array<[number, number]>>("snapshotBytes") ?? []);
    const sizes = new Map<number, number>();
    // A record stored before sizes were kept is measured once (read whole).
    for (const id of snapshotIds()) sizes.set(id, known.get(id) ?? snapshot(id)?.length ?? 0);
    return sizes;
  };
  return {
    snapshot,
    putSnapshot(id, record) {
      const db = snapshots();
      const sizes = snapshotBytes();
      sizes.set(id, record.length);
      root.transactionSync(() => {
        db.putSync(u64(id), record);
        metaDb.putSync(utf8("nextSnapshot"), json(id + 1));
        metaDb.putSync(utf8("snapshotBytes"), json([...sizes]));
      });
    },
    removeSnapshots(ids) {
      const db = snapshots();
      const sizes = snapshotBytes();
      for (const id of ids) sizes.delete(id);
      root.transactionSync(() => {
        for (const id of ids) db.removeSync(u64(id));
        metaDb.putSync(utf8("snapshotBytes"), json([...sizes]));
      });
    },
    snapshotBytes,
    snapshotIds,
  };
}
