/**
 * The chain database's layout check at open: a database whose Merkle nodes are kept in
 * another layout than this version's pages (`merklePages.ts`: one node to a record, as
 * versions before pages wrote) is not read, whether or not its head record is there.
 *
 * With a head, the `meta` record `merkleLayout` must name this version's layout (block 0
 * writes it, with the head, in one transaction). Without a head, a database that holds any
 * block or Merkle node but no layout record was written before pages (or lost its head and
 * layout record to damage): it is refused too, rather than taken for an empty directory and
 * given a genesis block over nodes in the old layout.
 */
import type { Database } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import { ChainDbError } from "./chainDbErrors.js";
import { MERKLE_LAYOUT, MERKLE_LAYOUT_KEY } from "./merklePages.js";

type Bin = Database<Uint8Array, Uint8Array>;

const RESYNC =
  "and does not convert: resync, with a new data directory (block sync or state sync from peers), and remove this one";

/** Throws `ChainDbError` `LAYOUT` unless the database in `dir` is in this version's layout (or empty). */
export function checkLayout(
  dir: string,
  dbs: { meta: Bin; merkle: Bin; blocks: Bin },
  hasHead: boolean,
): void {
  let layout: unknown;
  try {
    const raw = dbs.meta.getBinary(utf8(MERKLE_LAYOUT_KEY));
    layout = raw === undefined ? undefined : JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch {
    layout = "(an unreadable record)";
  }
  if (layout === MERKLE_LAYOUT) return;
  if (layout !== undefined || hasHead)
    throw new ChainDbError(
      "LAYOUT",
      `the chain database in ${dir} keeps its Merkle nodes ${layout === undefined ? "one to a record, as versions before pages did" : `in the layout ${JSON.stringify(layout)}`}; this version reads only ${MERKLE_LAYOUT} (several levels to a record) ${RESYNC}`,
    );
  const holds = (db: Bin) => {
    for (const _ of db.getKeys({ limit: 1 })) return true;
    return false;
  };
  if (holds(dbs.blocks) || holds(dbs.merkle))
    throw new ChainDbError(
      "LAYOUT",
      `the chain database in ${dir} holds ${holds(dbs.blocks) ? "blocks" : "Merkle nodes"} but no head and no layout record: it was written by a version before Merkle pages (one node to a record), or lost both records to damage; this version reads only ${MERKLE_LAYOUT} ${RESYNC}`,
    );
}
