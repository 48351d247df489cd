// The standard ERC-20 and ERC-721 events, decoded by their topic 0 (keccak256 of the
// signature) and their shape: ERC-20's Transfer and Approval carry the amount in the data
// (3 topics), ERC-721's index the token id (4 topics, no data); ApprovalForAll carries a
// bool. A hint for EVM contracts whose ABI the explorer does not have.

export const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
export const APPROVAL_TOPIC = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";
export const APPROVAL_FOR_ALL_TOPIC = "0x17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31";

/** topic 0 → [name, first indexed address's name, second's, the value's name for ERC-20, for ERC-721]. */
const EVENTS = {
  [TRANSFER_TOPIC]: ["Transfer", "from", "to", "value", "tokenId"],
  [APPROVAL_TOPIC]: ["Approval", "owner", "spender", "value", "tokenId"],
  [APPROVAL_FOR_ALL_TOPIC]: ["ApprovalForAll", "owner", "operator", "approved", null],
};

/** Topic 0 of each standard event whose topics 1 and 2 are addresses. */
export const ADDRESS_EVENT_TOPICS = Object.keys(EVENTS);

const WORD = /^0x[0-9a-fA-F]{64}$/;

/** An address as an Ethereum topic: 12 zero bytes, then the address. */
export function ethAddressTopic(address) {
  return `0x${"0".repeat(24)}${address.toLowerCase().slice(2)}`;
}

const topicAddress = (topic) => `0x${topic.slice(-40).toLowerCase()}`;

/**
 * A log of a standard ERC-20/ERC-721 event decoded by topic and shape:
 * `{ name, standard, args }`, or null when it is not one.
 */
export function decodeErcLog(log) {
  const topics = log.topics ?? [];
  const event = EVENTS[topics[0]?.toLowerCase()];
  if (!event || !topics.slice(1).every((t) => WORD.test(t))) return null;
  const [name, a, b, erc20Value, erc721Value] = event;
  const head = [
    { name: a, type: "address", value: topicAddress(topics[1] ?? "") },
    { name: b, type: "address", value: topicAddress(topics[2] ?? "") },
  ];
  if (name === "ApprovalForAll") {
    if (topics.length !== 3 || !WORD.test(log.data) || BigInt(log.data) > 1n) return null;
    return {
      name,
      standard: "ERC-721",
      args: [...head, { name: erc20Value, type: "bool", value: BigInt(log.data) === 1n }],
    };
  }
  if (topics.length === 3 && WORD.test(log.data))
    return {
      name,
      standard: "ERC-20",
      args: [...head, { name: erc20Value, type: "u256", value: BigInt(log.data) }],
    };
  if (topics.length === 4 && (log.data === "0x" || log.data === ""))
    return {
      name,
      standard: "ERC-721",
      args: [...head, { name: erc721Value, type: "u256", value: BigInt(topics[3]) }],
    };
  return null;
}
