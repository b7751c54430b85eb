/**
 * A Unix socket that forwards every connection to a TCP port on loopback: how Envoys
 * inside test network namespaces reach `amime serve` on the host's loopback (a socket
 * file is reachable from every network namespace; a loopback port is not).
 */
import { chmodSync } from 'node:fs';
import net from 'node:net';

export interface UnixBridge {
  readonly path: string;
  close(): Promise<void>;
}

export async function unixBridge(path: string, port: number): Promise<UnixBridge> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  // Envoys run as uid 1337 (App Mesh's proxy user): they must be able to connect.
  chmodSync(path, 0o777);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
