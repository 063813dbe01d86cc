// e2e: the request flow every Kubernetes guide describes, on one nodelet node: kubectl create
// deployment -> Deployment and ReplicaSet controllers make pods -> the scheduler binds them to the
// node -> the agent runs them -> kubectl expose -> EndpointSlices -> the proxy programs the
// Service IP -> the Service answers from the node, spreading over both pods. Once per proxy mode.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeCluster, type NodeCluster } from './node-cluster.js';
import { lines } from '../../integration/kubectl/kubectl-runner.js';

const IMAGE = 'nodelet.local/busybox:1.35';

for (const mode of ['iptables', 'nftables'] as const) {
  describe(`a Deployment behind a Service on one node (proxy ${mode})`, { timeout: 600_000 }, () => {
    let c: NodeCluster;
    before(async () => {
      c = await startNodeCluster({ proxyMode: mode });
    }, { timeout: 120_000 });
    after(() => c?.dispose(), { timeout: 120_000 });

    test('the node registers and becomes Ready with a pod CIDR from node IPAM', async () => {
      await c.eventually('node Ready', 60_000, async () => {
        const out = await c.kubectl.ok('get', 'node', c.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR}');
        return /^True 10\.244\.\d+\.0\/24$/.test(out.trim()) ? out : undefined;
      });
    });

    test('kubectl create deployment, expose and rollout status', { timeout: 240_000 }, async () => {
      const created = await c.kubectl.ok('create', 'deployment', 'web', `--image=${IMAGE}`, '--replicas=2', '--port=8080', '--',
        '/bin/sh', '-c', 'hostname > /tmp/index.html; exec httpd -f -p 8080 -h /tmp');
      assert.equal(created.trim(), 'deployment.apps/web created');
      assert.equal((await c.kubectl.ok('expose', 'deployment', 'web', '--port=80', '--target-port=8080')).trim(), 'service/web exposed');
      const status = await c.kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=180s');
      assert.match(status, /deployment "web" successfully rolled out/);
      const pods = lines(await c.kubectl.ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.status.podIP}{"\\n"}{end}'));
      assert.equal(pods.length, 2);
      for (const p of pods) assert.match(p, new RegExp(`^${c.nodeName} Running 10\\.88\\.`));
      const events = await c.kubectl.ok('get', 'events', '--field-selector', 'reason=Scheduled', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}');
      assert.match(events, new RegExp(`Successfully assigned default/web-[a-z0-9]+-[a-z0-9]+ to ${c.nodeName}`));
    });

    test('the Service IP answers from the node and reaches both pods', { timeout: 180_000 }, async () => {
      const ip = (await c.kubectl.ok('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
      assert.match(ip, /^10\.\d+\.\d+\.\d+$/);
      // (busybox wget -T crashes in Debian's build; the exec timeout bounds each request.)
      // A real node has a default route; the test namespace has only the pod bridge (made with the
      // first pod). Without any route to the Service IP, connect() fails before nat OUTPUT runs.
      const route = await c.onNode('ip', ['route', 'replace', 'default', 'dev', 'nlt0']);
      assert.equal(route.code, 0, route.stderr);
      const endpoints = await c.eventually('two ready endpoints in the slice', 60_000, async () => {
        const out = await c.kubectl.ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\\n"}{end}');
        const ready = lines(out).filter((l) => l.endsWith(' true'));
        return ready.length === 2 ? ready : undefined;
      });
      assert.equal(endpoints.length, 2);
      const podNames = new Set(lines(await c.kubectl.ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}')));
      const seen = new Set<string>();
      await c.eventually('the Service IP answering', 60_000, async () => {
        const r = await c.onNode('busybox', ['wget', '-q', '-O', '-', `http://${ip}:80/`]);
        return r.code === 0 ? r.stdout : undefined;
      });
      for (let i = 0; i < 40 && seen.size < 2; i++) {
        const r = await c.onNode('busybox', ['wget', '-q', '-O', '-', `http://${ip}:80/`]);
        if (r.code === 0) seen.add(r.stdout.trim());
      }
      assert.deepEqual([...seen].sort(), [...podNames].sort(), 'both pods answered through the Service IP');
    });

    test('scaling down removes an endpoint and the Service keeps answering', { timeout: 120_000 }, async () => {
      assert.equal((await c.kubectl.ok('scale', 'deployment', 'web', '--replicas=1')).trim(), 'deployment.apps/web scaled');
      await c.kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=90s');
      const ip = (await c.kubectl.ok('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
      // The pod scaled away is Terminating (still Running for its grace period): the remaining one has no deletionTimestamp.
      const list = JSON.parse(await c.kubectl.ok('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
      const kept = list.items.filter((p) => p.metadata.deletionTimestamp === undefined);
      assert.equal(kept.length, 1, 'one pod is not being deleted');
      const remaining = kept[0]?.metadata.name ?? '';
      await c.eventually('only the remaining pod answers', 60_000, async () => {
        const answers = new Set<string>();
        for (let i = 0; i < 10; i++) {
          const r = await c.onNode('busybox', ['wget', '-q', '-O', '-', `http://${ip}:80/`]);
          if (r.code === 0) answers.add(r.stdout.trim());
        }
        return answers.size === 1 && answers.has(remaining) ? true : undefined;
      });
    });
  });
}
