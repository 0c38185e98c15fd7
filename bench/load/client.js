/**
 * The scraping client of the scrape-under-load case, a process of its own (forked by server.js,
 * no metrics library loaded): it sends GET /ping at a steady rate on one keep-alive connection,
 * first for a baseline window without scrapes, then while it makes sequential full scrapes of
 * /metrics on a second connection, each body read to its end. It reports every scrape's window
 * and the /ping latencies inside and outside the scrapes to its parent, over IPC, then exits.
 *
 * The pings are pipelined, written on the socket at their time whatever came back: a ping's latency
 * runs from its write until its answer has arrived, so pings sent while the server is blocked count
 * their wait, as users' requests would, and a slow answer does not hold back the next ping (with
 * one request at a time on the connection, the pings' own round trips would pile up a queue).
 *
 *   fork('client.js', [JSON.stringify({ port, pingEveryMs, baselineMs, warmupScrapes, scrapes })])
 */
import http from 'node:http';
import net from 'node:net';

const { port, pingEveryMs, baselineMs, warmupScrapes, scrapes } = JSON.parse(process.argv[2]);
/** Bounds every wait: a scrape, the pings still in flight at the end. */
const TIMEOUT_MS = 60_000;
/** Pings unanswered past this many are not sent (a server stuck for seconds). */
const MAX_IN_FLIGHT = 5000;
const TEXT_FORMAT = 'text/plain;version=0.0.4';
const PING = Buffer.from('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'latin1');
/** The end of an answer to /ping: its headers' end and the body "ok" (answers come back in order). */
const ANSWER_END = '\r\n\r\nok';
const ANSWER_OK = 'HTTP/1.1 200 ';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const scrapeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const sent = [];
const latency = [];
const inFlight = []; // send times of the pings not answered yet, oldest first
let inFlightHead = 0;
let answersOk = 0;
let dropped = 0;
let failure;

/** Occurrences of `needle` in `text`. */
function count(text, needle) {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function openPingConnection() {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let tail = ''; // the last bytes of the previous chunk, for a marker split across chunks
  socket.on('data', (chunk) => {
    const arrived = performance.now();
    const text = tail + chunk.toString('latin1');
    const answers = count(text, ANSWER_END) - count(tail, ANSWER_END);
    answersOk += count(text, ANSWER_OK) - count(tail, ANSWER_OK);
    tail = text.slice(-Math.max(ANSWER_END.length, ANSWER_OK.length));
    for (let k = 0; k < answers; k++) {
      const at = inFlight[inFlightHead++];
      sent.push(at);
      latency.push(arrived - at);
    }
  });
  socket.on('error', (error) => (failure ??= error));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function ping(socket) {
  if (inFlight.length - inFlightHead >= MAX_IN_FLIGHT) {
    dropped++;
    return;
  }
  inFlight.push(performance.now());
  socket.write(PING);
}

/** One full scrape, in the text format, without compression (the same 18.5 MB body from both libraries). */
function scrape() {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const headers = { Accept: TEXT_FORMAT };
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: scrapeAgent, headers }, (res) => {
      let bytes = 0;
      let samples = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
        // Every sample line has one `}` (its labels' end), and nothing else in these bodies has one.
        for (let i = chunk.indexOf(0x7d); i !== -1; i = chunk.indexOf(0x7d, i + 1)) samples++;
      });
      res.on('end', () => resolve({ start, end: performance.now(), status: res.statusCode, bytes, samples }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`a scrape took over ${TIMEOUT_MS} ms`)));
  });
}

/** The latencies of the pings sent within [from, to]. */
function latenciesSent(from, to) {
  const out = [];
  for (let i = 0; i < sent.length; i++) if (sent[i] >= from && sent[i] <= to) out.push(latency[i]);
  return out;
}

try {
  for (let i = 0; i < warmupScrapes; i++) await scrape();
  const socket = await openPingConnection();
  const pinger = setInterval(() => ping(socket), pingEveryMs);
  await sleep(100); // the ping connection warm before the baseline starts
  const baselineFrom = performance.now();
  await sleep(baselineMs);
  const baselineTo = performance.now();
  const measured = [];
  for (let i = 0; i < scrapes; i++) measured.push(await scrape());
  clearInterval(pinger);
  const deadline = performance.now() + TIMEOUT_MS;
  while (inFlightHead < inFlight.length && !failure && performance.now() < deadline) await sleep(5);
  socket.destroy();
  if (failure) throw failure;
  if (inFlightHead < inFlight.length)
    throw new Error(`${inFlight.length - inFlightHead} pings unanswered after ${TIMEOUT_MS} ms`);
  if (answersOk !== inFlight.length) throw new Error(`${inFlight.length - answersOk} pings were not answered 200`);
  process.send(
    {
      scrapes: measured,
      outside: latenciesSent(baselineFrom, baselineTo),
      during: latenciesSent(measured[0].start, measured.at(-1).end),
      dropped,
    },
    () => process.exit(0),
  );
} catch (error) {
  process.send({ error: String(error?.stack ?? error) }, () => process.exit(1));
}
