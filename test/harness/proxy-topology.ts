// A small network for the proxy's traffic tests, made only of namespaces the test creates:
//
//   client (10.250.0.2) ──veth── node (10.250.0.1; rules live here) ──veth── ep1 (10.250.1.6)
//                                                                    ──veth── ep2 (10.250.1.10)
//                                                                    ──veth── ep3 (10.250.1.14)
//
// No bridge (the kernel has no br_netfilter) and no dummy links: every pod has its own point-to-point
// veth to the node, a /30 each, and a default route via the node, which forwards (ip_forward is set
// inside the node namespace only); the node's own default route points at the client, which does not
// forward: traffic to a Service IP that no rule catches is dropped there (a timeout, never "refused"). Each endpoint runs busybox httpd answering its name ("ep1") and a
// UDP responder answering its name. The client reaches Service IPs through its default route via the
// node. The machine's own namespace is never touched: links are created from inside the node namespace.
import { writeFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { systemExec, type Exec, type ExecOptions, type ExecResult } from '../../src/base/exec.js';
import type { Disposable } from '../../src/base/lifecycle.js';
import { createNetns, nsenterCommand, type Netns } from './netns.js';
import { daemonEnv, startDaemon, type Daemon } from './process.js';
import { createTempDir, type TempDir } from './tmp.js';

export const NODE_IP = '10.250.0.1';
export const CLIENT_IP = '10.250.0.2';
/** The pods' addresses: the cluster CIDR the proxy is told about. */
export const POD_CIDR = '10.250.1.0/24';
/** Where tests put Service cluster IPs (the client's default route sends them to the node). */
export const SERVICE_CIDR = '10.250.200.0/24';
export const ENDPOINT_HTTP_PORT = 8080;
export const ENDPOINT_UDP_PORT = 9053;

export interface TopologyEndpoint {
  /** ep1, ep2, ...: also what its servers answer. */
  readonly name: string;
  readonly ip: string;
  readonly netns: Netns;
}

export type Origin = 'client' | 'node';

export type HttpOutcome =
  | { ok: true; body: string }
  /** refused: the connection was actively refused (RST/ICMP); timedOut: no answer within the bound. */
  | { ok: false; refused: boolean; timedOut: boolean; error: string };

export interface ConntrackEntry {
  /** The original destination (the Service IP). */
  origDst: string;
  origSport: number;
  origSrc: string;
  /** The reply's source: the endpoint the flow was DNATed to. */
  replySrc: string;
  /** The reply's destination: origSrc, unless the flow was masqueraded (SNAT). */
  replyDst: string;
  line: string;
}

export interface ProxyTopology extends Disposable {
  readonly tmp: TempDir;
  /** Where the proxy's rules are programmed. */
  readonly node: Netns;
  readonly client: Netns;
  readonly endpoints: readonly TopologyEndpoint[];
  /** Runs commands inside the node namespace (nsenter): the Exec to give a rule backend. */
  readonly nodeExec: Exec;
  /** One bounded HTTP GET with busybox wget from the client or from the node itself. */
  httpGet(from: Origin, host: string, port: number, timeoutMs?: number): Promise<HttpOutcome>;
  /** `count` GETs one after the other; the bodies (trimmed), failures as 'ERR:<error>'. */
  httpGetMany(from: Origin, host: string, port: number, count: number, timeoutMs?: number): Promise<string[]>;
  /** One UDP datagram from a fixed source port; the answer (an endpoint's name) or undefined. */
  udpRequest(from: Origin, host: string, port: number, sourcePort: number, timeoutMs?: number): Promise<string | undefined>;
  /** Conntrack entries of `proto` in the node namespace whose original destination is `dst`. */
  conntrack(proto: 'tcp' | 'udp', dst: string): Promise<ConntrackEntry[]>;
  /** Stops the servers, removes every namespace and the temp dir. Idempotent. */
  dispose(): Promise<void>;
}

export interface TopologyOptions {
  /** How many endpoint namespaces (1..8); 3 by default. */
  endpoints?: number;
}

// Runs inside an endpoint namespace: answers every datagram with the endpoint's name.
const UDP_SERVER = `
const dgram = require('node:dgram');
const [name, port] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
s.on('message', (_m, r) => s.send(name, r.port, r.address));
s.bind(Number(port), () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
`;

// Runs in the client or node namespace: one datagram from a fixed source port, prints the answer.
const UDP_CLIENT = `
const dgram = require('node:dgram');
const [host, port, sport, wait] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const timer = setTimeout(() => process.exit(2), Number(wait));
s.on('message', (m) => { process.stdout.write(m.toString()); clearTimeout(timer); s.close(); });
s.bind(Number(sport), () => s.send('ping', Number(port), host));
`;

function nsExec(netns: Netns): Exec {
  return {
    run: (file, args, opts?: ExecOptions): Promise<ExecResult> => {
      const cmd = nsenterCommand(netns.name, file, args);
      return systemExec.run(cmd.file, cmd.args, { ...opts, env: opts?.env ?? daemonEnv() });
    },
  };
}

/** Parses `conntrack -L` lines: the first src/dst/sport are the original tuple, the second src/dst the reply's. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const dsts = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1] ?? '');
    const srcs = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1] ?? '');
    const sport = /\bsport=(\d+)/.exec(line)?.[1];
    if (dsts.length < 2 || srcs.length < 2 || sport === undefined) continue;
    entries.push({ origSrc: srcs[0] ?? '', origDst: dsts[0] ?? '', origSport: Number(sport), replySrc: srcs[1] ?? '', replyDst: dsts[1] ?? '', line });
  }
  return entries;
}

export async function startProxyTopology(opts: TopologyOptions = {}): Promise<ProxyTopology> {
  const count = opts.endpoints ?? 3;
  if (count < 1 || count > 8) throw new Error(`proxy topology: endpoints must be 1..8, got ${count}`);
  const owned: Disposable[] = [];
  const tmp = await createTempDir();
  owned.push(tmp);
  try {
    const node = await createNetns();
    owned.push(node);
    const client = await createNetns();
    owned.push(client);
    const nodeRun = (args: string[]): Promise<ExecResult> => node.runChecked('ip', args);

    // Forwarding inside the node namespace only (net.ipv4.ip_forward is per namespace).
    await node.runChecked('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);

    // client <-> node
    await nodeRun(['link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client.name]);
    await nodeRun(['addr', 'add', `${NODE_IP}/30`, 'dev', 'c0']);
    await nodeRun(['link', 'set', 'c0', 'up']);
    await client.runChecked('ip', ['addr', 'add', `${CLIENT_IP}/30`, 'dev', 'eth0']);
    await client.runChecked('ip', ['link', 'set', 'eth0', 'up']);
    await client.runChecked('ip', ['route', 'add', 'default', 'via', NODE_IP]);
    // A node has a default route (an uplink): Service IPs must route before rules can DNAT or
    // reject them. The client does not forward, so what no rule handles is silently dropped there.
    await nodeRun(['route', 'add', 'default', 'via', CLIENT_IP]);
    // ICMP errors unthrottled (the default allows about one a second per destination): a REJECT
    // answers every connection attempt at once instead of after a SYN retransmit.
    await node.runChecked('sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0']);
    // UDP entries outlive every test step, so only a deletion (the proxy's cleanup) removes one.
    await node.runChecked('sysctl', ['-q', '-w', 'net.netfilter.nf_conntrack_udp_timeout=600', 'net.netfilter.nf_conntrack_udp_timeout_stream=600']);

    const endpoints: TopologyEndpoint[] = [];
    for (let i = 1; i <= count; i++) {
      const ns = await createNetns();
      owned.push(ns);
      const gw = `10.250.1.${4 * i + 1}`;
      const ip = `10.250.1.${4 * i + 2}`;
      await nodeRun(['link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
      await nodeRun(['addr', 'add', `${gw}/30`, 'dev', `p${i}`]);
      await nodeRun(['link', 'set', `p${i}`, 'up']);
      await ns.runChecked('ip', ['addr', 'add', `${ip}/30`, 'dev', 'eth0']);
      await ns.runChecked('ip', ['link', 'set', 'eth0', 'up']);
      await ns.runChecked('ip', ['route', 'add', 'default', 'via', gw]);
      endpoints.push({ name: `ep${i}`, ip, netns: ns });
    }

    for (const ep of endpoints) {
      const docroot = tmp.join(ep.name);
      await mkdir(docroot, { recursive: true });
      await writeFile(`${docroot}/index.html`, `${ep.name}\n`);
      owned.push(await startDaemon({
        name: `httpd ${ep.name}`,
        file: 'busybox',
        args: ['httpd', '-f', '-p', String(ENDPOINT_HTTP_PORT), '-h', docroot],
        netns: ep.netns.name,
        logFile: tmp.join(`httpd-${ep.name}.log`),
        ready: async () => (await ep.netns.httpGet(`http://127.0.0.1:${ENDPOINT_HTTP_PORT}/`, 2000)) !== undefined,
      }));
      const udpLog = tmp.join(`udp-${ep.name}.log`);
      const udp: Daemon = await startDaemon({
        name: `udp responder ${ep.name}`,
        file: process.execPath,
        // The temp dir on the command line lets its sweep find the process too.
        args: ['-e', UDP_SERVER, ep.name, String(ENDPOINT_UDP_PORT), tmp.path],
        netns: ep.netns.name,
        logFile: udpLog,
        ready: () => Promise.resolve(existsSync(udpLog) && readFileSync(udpLog, 'utf8').includes('ready')),
      });
      owned.push(udp);
    }

    const nodeExec = nsExec(node);
    const clientExec = nsExec(client);
    const execFor = (from: Origin): Exec => (from === 'node' ? nodeExec : clientExec);

    const httpGet = async (from: Origin, host: string, port: number, timeoutMs = 3000): Promise<HttpOutcome> => {
      // No `wget -T`: Debian's busybox 1.35 segfaults with it when the connection is refused; the
      // process is bounded by the exec timeout instead (killed: timedOut).
      const res = await execFor(from).run('busybox', ['wget', '-q', '-O', '-', `http://${host}:${port}/`], { timeoutMs });
      if (res.code === 0) return { ok: true, body: res.stdout };
      const timedOut = res.signal === 'SIGKILL';
      const error = timedOut ? `no answer within ${timeoutMs} ms` : res.stderr.trim() || `exit ${res.code ?? res.signal}`;
      return { ok: false, refused: /refused/i.test(res.stderr), timedOut, error };
    };

    let disposed: Promise<void> | undefined;
    return {
      tmp,
      node,
      client,
      endpoints,
      nodeExec,
      httpGet,
      httpGetMany: async (from, host, port, n, timeoutMs) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const r = await httpGet(from, host, port, timeoutMs);
          out.push(r.ok ? r.body.trim() : `ERR:${r.error}`);
        }
        return out;
      },
      udpRequest: async (from, host, port, sourcePort, timeoutMs = 2000) => {
        const res = await execFor(from).run(process.execPath, ['-e', UDP_CLIENT, host, String(port), String(sourcePort), String(timeoutMs)], {
          timeoutMs: timeoutMs + 5000,
        });
        return res.code === 0 && res.stdout !== '' ? res.stdout : undefined;
      },
      conntrack: async (proto, dst) => {
        const res = await nodeExec.run('conntrack', ['-L', '-p', proto, '--orig-dst', dst], { timeoutMs: 10_000 });
        // conntrack exits 0 with entries on stdout; "0 flow entries" goes to stderr.
        if (res.code !== 0) throw new Error(`conntrack -L in ${node.name}: ${res.stderr.trim()}`);
        return parseConntrack(res.stdout);
      },
      dispose: () =>
        (disposed ??= disposeAll(owned)),
    };
  } catch (err) {
    await disposeAll(owned).catch(() => undefined);
    throw err;
  }
}

/** Last made first: servers, then namespaces (their links go with them), then the temp dir. */
async function disposeAll(owned: Disposable[]): Promise<void> {
  const errors: unknown[] = [];
  for (const d of [...owned].reverse()) {
    try {
      await d.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'proxy topology: several disposals failed');
}
