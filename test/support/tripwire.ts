/**
 * A TCP port that counts connections and drops them: given as TEMPORAL_ADDRESS, it proves that
 * a command never tried to reach Temporal (zero connections) or that it did (a client retries).
 */
import { createServer, type Socket } from 'node:net';

export interface Tripwire {
  /** host:port to hand out as an address. */
  readonly address: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTripwire(): Promise<Tripwire> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('tripwire: no TCP address');
  return {
    address: `127.0.0.1:${addr.port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
