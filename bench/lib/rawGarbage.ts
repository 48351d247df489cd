import net from "node:net";

/**
 * `count` raw TCP sockets to `target` (a multiaddr /ip4/<host>/tcp/<port>/...) that send garbage,
 * half before the noise handshake and half after a multistream header, each closed after 20 s at
 * the latest. Resolves with how many were refused.
 */
export async function rawGarbage(target: string, count: number): Promise<number> {
  const [, , host, , port] = target.split("/");
  let refused = 0;
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) => {
          const socket = net.connect(Number(port), host);
          socket.on("error", () => {
            refused++;
            resolve();
          });
          socket.on("connect", () => {
            if (i % 2 === 0) socket.write(new Uint8Array(4096).fill(0x41));
            else socket.write("\x13/multistream/1.0.0\n\x0f/noise\nGARBAGEGARBAGE");
          });
          socket.on("close", () => resolve());
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20_000);
        }),
    ),
  );
  return refused;
}
