/**
 * Keeps the configured peers connected: each is dialled at start, and again after it
 * disconnects or a dial fails, with an exponential backoff (`minMs` doubling up to `maxMs`,
 * reset by a successful connection). A banned peer is not dialled until its ban ends.
 */
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";

export interface Backoff {
  minMs: number;
  maxMs: number;
}

export interface Dialer {
  dial(address: Multiaddr): Promise<unknown>;
  isConnected(peer: string): boolean;
  isBanned(peer: string): boolean;
}

interface Target {
  address: Multiaddr;
  peer: string | undefined;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  dialing: boolean;
}

export class Reconnector {
  private readonly targets: Target[];
  private running = false;

  constructor(
    addresses: string[],
    private readonly dialer: Dialer,
    private readonly backoff: Backoff,
  ) {
    this.targets = addresses.map((a) => {
      const address = multiaddr(a);
      return {
        address,
        peer: address.getPeerId() ?? undefined,
        delayMs: backoff.minMs,
        timer: undefined,
        dialing: false,
      };
    });
  }

  start(): void {
    this.running = true;
    for (const target of this.targets) this.schedule(target, 0);
  }

  stop(): void {
    this.running = false;
    for (const target of this.targets) {
      clearTimeout(target.timer);
      target.timer = undefined;
    }
  }

  /** A peer disconnected: redial it if it is one of ours. */
  disconnected(peer: string): void {
    for (const target of this.targets) if (target.peer === peer) this.schedule(target, target.delayMs);
  }

  /** A peer connected: its backoff starts over. */
  connected(peer: string): void {
    for (const target of this.targets) if (target.peer === peer) target.delayMs = this.backoff.minMs;
  }

  private schedule(target: Target, delayMs: number): void {
    if (!this.running || target.timer !== undefined) return;
    target.timer = setTimeout(() => {
      target.timer = undefined;
      void this.dial(target);
    }, delayMs);
    target.timer.unref();
  }

  private async dial(target: Target): Promise<void> {
    if (!this.running || target.dialing) return;
    if (target.peer !== undefined && this.dialer.isConnected(target.peer)) return;
    if (target.peer !== undefined && this.dialer.isBanned(target.peer)) {
      this.schedule(target, this.backoff.maxMs);
      return;
    }
    target.dialing = true;
    try {
      await this.dialer.dial(target.address);
      target.delayMs = this.backoff.minMs;
    } catch {
      target.delayMs = Math.min(this.backoff.maxMs, target.delayMs * 2);
      this.schedule(target, target.delayMs);
    } finally {
      target.dialing = false;
    }
  }
}
