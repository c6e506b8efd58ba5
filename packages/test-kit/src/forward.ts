import { connect, createServer, type AddressInfo, type Socket } from "node:net";

/**
 * A TCP port that forwards each connection to a port on 127.0.0.1, as Docker
 * routes a published port or a container's address to the container. Until
 * it has a target, it drops every connection it accepts, as docker-proxy does
 * while the container's server is not listening yet.
 */
export interface TcpForwarder {
  /** The port it listens on. */
  port: number;
  /** Where connections go from now on. */
  forwardTo(target: number): void;
  close(): void;
}

/** Listens on `address`:`port` (0: any free port) and forwards to `target`, if given. */
export async function forwardTcp(address: string, port: number, target?: number): Promise<TcpForwarder> {
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(target, "127.0.0.1");
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    forwardTo: (next) => (target = next),
    close() {
      server.close();
      for (const socket of open) socket.destroy();
    },
  };
}
