import net from 'node:net';

export interface Balancer {
  url: string;
  /** Which backend port each accepted connection went to, in order. */
  routes: number[];
  close(): Promise<void>;
}

/**
 * A TCP load balancer for tests, like the one in front of a real deployment: round-robin over
 * backends, skipping any that refuse the connection, no stickiness. WebSockets pass through as
 * plain TCP, so a client whose instance dies reconnects through here to another one.
 */
export async function startBalancer(backends: () => number[]): Promise<Balancer> {
  let next = 0;
  const routes: number[] = [];
  const open = new Set<net.Socket>();

  function connectTo(client: net.Socket, candidates: number[], attempt: number): void {
    if (attempt >= candidates.length || client.destroyed) {
      client.destroy();
      return;
    }
    const port = candidates[(next + attempt) % candidates.length]!;
    const upstream = net.connect({ host: '127.0.0.1', port });
    open.add(upstream);
    let established = false;
    upstream.once('error', () => {
      if (!established) connectTo(client, candidates, attempt + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      established = true;
      next = (next + attempt + 1) % candidates.length;
      routes.push(port);
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once('close', () => open.delete(upstream));
  }

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    connectTo(client, backends(), 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
