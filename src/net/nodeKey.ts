/**
 * The node's persistent libp2p identity: an Ed25519 private key in a file (libp2p's
 * protobuf encoding), created once with mode 0600 and loaded on every start, so the
 * peer id, and what peers remember of it, survives restarts. A key file that others may
 * read is refused, as ssh refuses one.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { BoundedReadError, readBoundedBytes } from "../codec/boundedFile.js";
import { NetError } from "./errors.js";

/** A libp2p private key, as `@libp2p/crypto` makes it. */
export type NodeKey = ReturnType<typeof privateKeyFromProtobuf>;

/** The most bytes a key file may hold (an Ed25519 key is 68; RSA ones are larger). */
const MAX_KEY_FILE_BYTES = 8192;

/** Loads the key in `path`, or creates it (mode 0600, and its missing folders) when the file does not exist. */
export async function loadOrCreateNodeKey(path: string): Promise<NodeKey> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new NetError("KEY_FILE", `cannot read the node key file ${path}: ${String(error)}`, { path });
    return createNodeKey(path);
  }
  if ((mode & 0o077) !== 0)
    throw new NetError(
      "KEY_FILE",
      `node key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      { path, mode: mode & 0o777 },
    );
  let bytes: Buffer;
  try {
    bytes = readBoundedBytes(path, "node key file", MAX_KEY_FILE_BYTES);
  } catch (error) {
    if (error instanceof BoundedReadError && error.code === "TOO_LARGE")
      throw new NetError(
        "KEY_FILE",
        `node key file ${path} holds over ${MAX_KEY_FILE_BYTES} bytes: not a libp2p key`,
        {
          path,
        },
      );
    throw error;
  }
  try {
    return privateKeyFromProtobuf(bytes);
  } catch (error) {
    throw new NetError("KEY_FILE", `node key file ${path} is not a libp2p private key: ${String(error)}`, {
      path,
    });
  }
}

async function createNodeKey(path: string): Promise<NodeKey> {
  const key = await generateKeyPair("Ed25519");
  try {
    // Its folder too: `weft node --state-sync on` makes the key before the database makes the
    // data directory it lives in by default.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // O_EXCL: two processes starting at once do not overwrite each other's key.
    writeFileSync(path, privateKeyToProtobuf(key), {
      mode: 0o600,
      flag: "wx",
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreateNodeKey(path);
    throw new NetError("KEY_FILE", `cannot create the node key file ${path}: ${String(error)}`, { path });
  }
  return key;
}
