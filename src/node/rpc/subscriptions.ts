/**
 * Subscriptions: a connection subscribes to a topic the node registered (with an optional
 * filter the topic validates), and `publish` sends each matching subscription a
 * `weft_subscription` notification. Subscriptions belong to one connection and die with it.
 *
 * A new subscription is pending until the response carrying its id has been sent, so a client
 * never sees an event for an id it does not know yet; events published meanwhile are queued.
 *
 * Publishing costs the node work for every subscription of a topic, matching or not: a
 * client's subscriptions can make it far more than the events cost the chain. (Attacker HIGH:
 * 50 connections of one client holding 100 `logs` subscriptions each made one 3M-gas
 * transaction of 1,024 events stall the node 36 s matching filters of 100 topic choices that
 * never matched, and 3 such transactions cost 79 s delivering 15.4M notifications to filters
 * that matched.) So that work is charged to the client (`SubscriptionOwner.clientKey`, all its
 * connections together), in units of about one filter entry compared: `1 + weight` to check a
 * subscription's filter (`TopicSpec.weight`), `NOTIFICATION_COST` more to send it a
 * notification. A client earns `workPerSecond` units a second (burst 2×); past them, the
 * connection whose subscription was due is closed as a slow consumer (`kick`) and its
 * subscriptions end, so the next of the client's connections to be due goes the same way.
 */
import { randomBytes } from "node:crypto";
import { describeError as describe, invalidParams, RpcError, RpcErrorCode } from "./errors.js";
import { KeyedRateLimiter } from "./rateLimit.js";
import type { RpcLogger } from "./types.js";

/**
 * Work units of sending one notification, against one unit per filter entry compared
 * (measured on the loaded 2-core machine: ~5 µs a send, ~0.13 µs an entry).
 */
export const NOTIFICATION_COST = 40;

/** The method name of subscription notifications. */
export const SUBSCRIPTION_NOTIFICATION = "weft_subscription";

/**
 * A family of subscription methods: `weft_subscribe` (notifications `weft_subscription`, the
 * topics as registered) or Ethereum's `eth_subscribe` (notifications `eth_subscription`, its
 * topic `t` registered as `eth_t`, so the two families publish different shapes).
 */
export interface SubscriptionFlavour {
  /** Prefix of the registered topic names this family sees ("" for all). */
  prefix: string;
  /** Method name of its notifications. */
  notification: string;
}

export const WEFT_SUBSCRIPTIONS: SubscriptionFlavour = {
  prefix: "",
  notification: SUBSCRIPTION_NOTIFICATION,
};
export const ETH_SUBSCRIPTIONS: SubscriptionFlavour = { prefix: "eth_", notification: "eth_subscription" };

/** How the node describes a topic it publishes. */
export interface TopicSpec {
  /**
   * Checks the filter a client gave (`undefined` when it gave none) and returns its normalized
   * form, which is what `matches` receives. Throws `RpcError` (-32602) on a bad filter. Absent:
   * any filter is kept as given.
   */
  validateFilter?: (filter: unknown) => unknown;
  /** Whether a payload goes to a subscription with this (normalized) filter. Absent: always. */
  matches?: (filter: unknown, payload: unknown) => boolean;
  /**
   * The most entries `matches` compares for this (normalized) filter (addresses and topic
   * choices): what checking it costs in work units, beyond one. Absent: 0.
   */
  weight?: (filter: unknown) => number;
}

/** A connection that can hold subscriptions. */
export interface SubscriptionOwner {
  readonly connectionId: string;
  /** The client it is counted under (`clientKey.ts`): the work of its subscriptions is charged there. */
  readonly clientKey: string;
  /** Sends one text frame (the owner enforces its own send-buffer limit). */
  send(text: string): void;
  /** Disconnects the owner as a slow consumer. */
  kick(reason: string): void;
}

interface Subscription {
  readonly id: string;
  readonly topic: string;
  readonly filter: unknown;
  readonly owner: SubscriptionOwner;
  /** Work units of checking its filter against one payload. */
  readonly cost: number;
  /** The method name of its notifications. */
  readonly notification: string;
  /** Notifications waiting for the subscribe response; undefined once active. */
  queued: string[] | undefined;
  queuedBytes: number;
}

const MAX_ECHOED_TOPIC = 64;

/** All subscriptions of one server. */
export class SubscriptionRegistry {
  private readonly byTopic = new Map<string, Map<string, Subscription>>();
  private readonly byOwner = new Map<SubscriptionOwner, Map<string, Subscription>>();
  /** Each client's work units (publishing to its subscriptions). */
  private readonly work: KeyedRateLimiter;

  constructor(
    private readonly topics: Record<string, TopicSpec>,
    private readonly maxPerConnection: number,
    /** Most bytes of notifications queued for one pending subscription before the owner is kicked. */
    private readonly maxQueuedBytes: number,
    private readonly log: RpcLogger,
    /** Work units each client earns per second (burst 2×); `Infinity` does not count. */
    private readonly workPerSecond: number = Number.POSITIVE_INFINITY,
  ) {
    for (const name of Object.keys(topics)) this.byTopic.set(name, new Map());
    this.work = new KeyedRateLimiter(workPerSecond);
  }

  /** The registered topic names. */
  topicNames(): string[] {
    return [...this.byTopic.keys()];
  }

  /** Whether any subscription of `topic` is live (publishers skip building payloads nobody wants). */
  hasSubscribers(topic: string): boolean {
    return (this.byTopic.get(topic)?.size ?? 0) > 0;
  }

  /** Number of live subscriptions (all connections). */
  count(): number {
    let n = 0;
    for (const subs of this.byOwner.values()) n += subs.size;
    return n;
  }

  /** Number of subscriptions `owner` holds. */
  countOf(owner: SubscriptionOwner): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }

  /**
   * `weft_subscribe` for `owner`: params `[topic, filter?]` (or `{topic, filter}`). Returns the
   * new subscription's id, pending until `activate`.
   */
  subscribe(
    owner: SubscriptionOwner,
    params: unknown,
    flavour: SubscriptionFlavour = WEFT_SUBSCRIPTIONS,
  ): string {
    const { topic: given, filter } = subscribeParams(params);
    const topic = flavour.prefix + given;
    const spec = Object.hasOwn(this.topics, topic) ? this.topics[topic] : undefined;
    const subscribers = this.byTopic.get(topic);
    if (spec === undefined || subscribers === undefined) {
      const known = this.topicNames()
        .filter((name) => name.startsWith(flavour.prefix))
        .map((name) => name.slice(flavour.prefix.length));
      const shown = given.length > MAX_ECHOED_TOPIC ? `${given.slice(0, MAX_ECHOED_TOPIC)}…` : given;
      throw invalidParams(`unknown topic "${shown}"; known topics: ${known.join(", ") || "(none)"}`, {
        topics: known,
      });
    }
    let owned = this.byOwner.get(owner);
    if ((owned?.size ?? 0) >= this.maxPerConnection) {
      throw new RpcError(
        RpcErrorCode.TooManySubscriptions,
        `too many subscriptions on this connection (limit ${this.maxPerConnection})`,
        { limit: this.maxPerConnection },
      );
    }
    const normalized = spec.validateFilter === undefined ? filter : spec.validateFilter(filter);
    const id = `0x${randomBytes(16).toString("hex")}`;
    const sub: Subscription = {
      id,
      topic,
      filter: normalized,
      owner,
      cost: 1 + (spec.weight?.(normalized) ?? 0),
      notification: flavour.notification,
      queued: [],
      queuedBytes: 0,
    };
    if (owned === undefined) {
      owned = new Map();
      this.byOwner.set(owner, owned);
    }
    owned.set(id, sub);
    subscribers.set(id, sub);
    return id;
  }

  /** Starts delivery to the given subscriptions (their ids have reached the client), flushing queued events. */
  activate(owner: SubscriptionOwner, ids: readonly string[]): void {
    const owned = this.byOwner.get(owner);
    if (owned === undefined) return;
    for (const id of ids) {
      const sub = owned.get(id);
      if (sub === undefined || sub.queued === undefined) continue;
      const queued = sub.queued;
      sub.queued = undefined;
      sub.queuedBytes = 0;
      for (const text of queued) owner.send(text);
    }
  }

  /** `weft_unsubscribe` for `owner`: params `[id]`; true when `owner` held that subscription. */
  unsubscribe(owner: SubscriptionOwner, params: unknown): boolean {
    const id = Array.isArray(params) && params.length === 1 ? params[0] : undefined;
    if (typeof id !== "string") throw invalidParams("expected params [subscriptionId: string]");
    const sub = this.byOwner.get(owner)?.get(id);
    if (sub === undefined) return false;
    this.remove(sub);
    return true;
  }

  /** Removes every subscription of `owner` (its connection closed). */
  dropOwner(owner: SubscriptionOwner): void {
    const owned = this.byOwner.get(owner);
    if (owned === undefined) return;
    this.byOwner.delete(owner);
    for (const sub of owned.values()) this.byTopic.get(sub.topic)?.delete(sub.id);
  }

  /**
   * Sends `payload` to every subscription of `topic` whose filter matches. The payload is
   * JSON-encoded once; a payload that cannot be encoded is logged and dropped. Throws on a
   * topic that was never registered (a programming error in the node).
   */
  publish(topic: string, payload: unknown): void {
    const subscribers = this.byTopic.get(topic);
    if (subscribers === undefined) throw new Error(`publish to unregistered topic "${topic}"`);
    if (subscribers.size === 0) return;
    let payloadJson: string;
    try {
      payloadJson = JSON.stringify(payload) ?? "null";
    } catch (err) {
      this.log("error", "subscription payload is not JSON-serialisable", { topic, error: describe(err) });
      return;
    }
    const matches = this.topics[topic]?.matches;
    const tail = `","result":${payloadJson}}}`;
    // Deleting from a Map while iterating it is safe: a kicked owner's entries are just skipped.
    for (const sub of subscribers.values()) {
      if (!this.charge(sub, matches === undefined ? 1 : sub.cost)) continue;
      if (matches !== undefined && !this.safeMatch(matches, sub, payload)) continue;
      if (!this.charge(sub, NOTIFICATION_COST)) continue;
      const text = `{"jsonrpc":"2.0","method":"${sub.notification}","params":{"subscription":"${sub.id}${tail}`;
      if (sub.queued === undefined) {
        sub.owner.send(text);
        continue;
      }
      sub.queued.push(text);
      sub.queuedBytes += text.length;
      if (sub.queuedBytes > this.maxQueuedBytes)
        sub.owner.kick("slow consumer: too many queued notifications");
    }
  }

  /** Charges `units` of work to `sub`'s client; false (its connection kicked) once the client is over its rate. */
  private charge(sub: Subscription, units: number): boolean {
    if (this.work.take(sub.owner.clientKey, units) === 0) return true;
    // A close reason holds at most 123 bytes (RFC 6455).
    sub.owner.kick(
      `subscriptions over ${this.workPerSecond} work units/s from this client: narrow them or poll`,
    );
    return false;
  }

  private safeMatch(
    matches: NonNullable<TopicSpec["matches"]>,
    sub: Subscription,
    payload: unknown,
  ): boolean {
    try {
      return matches(sub.filter, payload) === true;
    } catch (err) {
      this.log("error", "subscription filter failed", { topic: sub.topic, error: describe(err) });
      return false;
    }
  }

  private remove(sub: Subscription): void {
    this.byTopic.get(sub.topic)?.delete(sub.id);
    const owned = this.byOwner.get(sub.owner);
    owned?.delete(sub.id);
    if (owned?.size === 0) this.byOwner.delete(sub.owner);
  }
}

function subscribeParams(params: unknown): { topic: string; filter: unknown } {
  let topic: unknown;
  let filter: unknown;
  if (Array.isArray(params) && (params.length === 1 || params.length === 2)) {
    [topic, filter] = params;
  } else if (typeof params === "object" && params !== null && !Array.isArray(params)) {
    ({ topic, filter } = params as { topic?: unknown; filter?: unknown });
  }
  if (typeof topic !== "string") throw invalidParams("expected params [topic: string, filter?]");
  return { topic, filter };
}
