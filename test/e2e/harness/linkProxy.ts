/**
 * A directed network link between two nodes on loopback, for partitions: a TCP proxy that
 * node A dials instead of node B's p2p port. Every byte of A's connections to B passes
 * through it, so cutting it is a real network fault for both ends (their sockets close and
 * new dials are refused), with no hook in the node. Each node lists only proxies as its
 * `--peers`, so all traffic between validators goes through links the harness owns.
 *
 * (Network namespaces would do the same with `ip netns` and veth pairs, but need root and
 * CAP_NET_ADMIN; this works wherever the tests run.)
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class LinkProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private up = true;
  /** Connections accepted and forwarded since the start (for checks that the link was used). */
  accepted = 0;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Closes every connection through the link and refuses new ones until `heal`. */
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.up = true;
  }

  /** Holds every byte on the link's open connections for `ms` (a stalled path or peer), then lets them through. */
  stall(ms: number): void {
    for (const s of this.sockets) s.pause();
    setTimeout(() => {
      for (const s of this.sockets) s.resume();
    }, ms).unref();
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort });
    const pair = [client, upstream];
    for (const s of pair) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => undefined);
      s.on("close", () => {
        this.sockets.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
