import net from 'node:net';

/**
 * A TCP proxy on loopback between Parley and PostgreSQL, so a test can take the database away from
 * one Parley without touching the shared server: `cut('reset')` kills every connection with an RST
 * (a crash, a pulled cable), `cut('graceful')` closes them with FIN (a fast shutdown); while cut, new
 * connections are refused at once. `restore()` lets them through again.
 */
export interface TcpProxy {
  port: number;
  cut(how: 'reset' | 'graceful'): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let down = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut(how) {
      down = true;
      for (const [client, upstream] of pairs) {
        if (how === 'reset') {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
        } else {
          client.end();
          upstream.end();
        }
      }
      pairs.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
