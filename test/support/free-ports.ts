/**
 * Free loopback ports for the processes a test starts. All `n` sockets are held until
 * every one is bound, so one call never hands out the same port twice (a gateway port
 * equal to an app's port once sent every request straight to that app; an etcd member's
 * peer port equal to another's client port fails the cluster). A port is released before
 * the caller binds it, so another process may still take it in between: rare, and it
 * fails loudly (address in use), never silently.
 */
import net from 'node:net';

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
