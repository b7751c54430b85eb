// Runs where a sidecar's app runs (inside its network namespace): serves the app on
// 127.0.0.1:<appPort>, then calls the sidecar's ingress listener as other sidecars would — mTLS with each client identity given, and once in
// plaintext — and writes what happened as JSON. Plain JavaScript with Node's modules
// only, so it starts anywhere without a build.
//
// Usage: node mtls-probe.mjs <config.json> <result.json>
//   config: { appPort, address, port, host, expectedServerUri, clients: { name: {cert, key, ca} } }
//   (the app listens on 127.0.0.1:appPort; the sidecar is dialled at address:port)
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import tls from 'node:tls';

const [configFile, resultFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const TIMEOUT_MS = 10_000;

const app = http.createServer((_req, res) => res.end('hello from the app behind the sidecar'));
await new Promise((resolve) => app.listen(config.appPort, '127.0.0.1', resolve));

/** One HTTP/1.1 GET over `socket`; resolves with the status line and body. */
function get(socket) {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('timed out')));
    socket.write(`GET / HTTP/1.1\r\nHost: ${config.host}\r\nConnection: close\r\n\r\n`);
  });
}

async function withClient(client) {
  const socket = tls.connect({
    host: config.address,
    port: config.port,
    cert: client.cert,
    key: client.key,
    ca: client.ca,
    // The sidecar is known by its SPIFFE ID, not by the address dialled.
    checkServerIdentity: (_host, peer) =>
      peer.subjectaltname?.split(', ').includes(`URI:${config.expectedServerUri}`)
        ? undefined
        : new Error(`server SANs ${peer.subjectaltname} lack ${config.expectedServerUri}`),
  });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('handshake timed out')));
  });
  return { handshake: true, serverUri: config.expectedServerUri, response: await get(socket) };
}

const results = {};
for (const [name, client] of Object.entries(config.clients)) {
  try {
    results[name] = await withClient(client);
  } catch (err) {
    results[name] = { handshake: false, error: String(err?.message ?? err) };
  }
}
try {
  const net = await import('node:net');
  const socket = net.connect(config.port, config.address);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  results.plaintext = { response: await get(socket) };
} catch (err) {
  results.plaintext = { error: String(err?.message ?? err) };
}
writeFileSync(resultFile, JSON.stringify(results, null, 1));
app.close();
process.exit(0);
