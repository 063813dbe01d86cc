// The kubectl script, part 2: label, annotate, the three patch types, scale, and a watch that
// sees a change made by another kubectl.
import assert from 'node:assert/strict';
import { lines, parseTable } from './kubectl-runner.js';
import { field, list, parseJson } from './objects.js';
import { row, templateContainer, type Step } from './steps.js';

const WATCH_WAIT_MS = 10_000;

export const editSteps: readonly Step[] = [
  {
    title: 'label and annotate a pod',
    async run({ k }) {
      assert.deepEqual(lines(await k.ok('label', 'pod', 'web-pod', 'tier=web')), ['pod/web-pod labeled']);
      assert.deepEqual(lines(await k.ok('annotate', 'pod', 'web-pod', 'note=hi')), ['pod/web-pod annotated']);
      const pod = parseJson(await k.ok('get', 'pod', 'web-pod', '-o', 'json'));
      assert.deepEqual(field(pod, 'metadata.labels'), { app: 'web', tier: 'web' });
      assert.equal(field(pod, 'metadata.annotations.note'), 'hi');
      // The new label selects the pod.
      assert.deepEqual(lines(await k.ok('get', 'pods', '-l', 'tier=web', '-o', 'name')), ['pod/web-pod']);
      assert.match(await k.ok('describe', 'pod', 'web-pod'), /^Labels:\s+app=web\n\s+tier=web\nAnnotations:\s+note: hi$/m);
    },
  },
  {
    title: 'patch --type=strategic adds an env var to one container by name; the rest is untouched',
    async run({ k }) {
      const before = parseJson(await k.ok('get', 'deployment', 'web', '-o', 'json'));
      const patch = { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MODE', value: 'fast' }] }] } } } };
      // strategic is kubectl patch's default type.
      assert.deepEqual(lines(await k.ok('patch', 'deployment', 'web', '-p', JSON.stringify(patch))), ['deployment.apps/web patched']);
      const dep = parseJson(await k.ok('get', 'deployment', 'web', '-o', 'json'));
      assert.deepEqual(list(dep, 'spec.template.spec.containers').map((c) => field(c, 'name')), ['app', 'sidecar']);
      const app = templateContainer(dep, 'app');
      assert.deepEqual(field(app, 'env'), [{ name: 'MODE', value: 'fast' }]);
      assert.equal(field(app, 'image'), 'nginx:1.27');
      assert.deepEqual(field(app, 'ports'), [{ containerPort: 80, protocol: 'TCP' }]);
      assert.deepEqual(templateContainer(dep, 'sidecar'), templateContainer(before, 'sidecar'));
      assert.equal(field(dep, 'metadata.generation'), Number(field(before, 'metadata.generation')) + 1);
      assert.deepEqual(field(dep, 'spec.selector'), field(before, 'spec.selector'));
    },
  },
  {
    title: 'patch --type=merge sets one configmap key and removes another (null)',
    async run({ k }) {
      const out = await k.ok('patch', 'configmap', 'web-config', '--type=merge', '-p', '{"data":{"extra":"1","size":null}}');
      assert.deepEqual(lines(out), ['configmap/web-config patched']);
      const cm = parseJson(await k.ok('get', 'configmap', 'web-config', '-o', 'json'));
      assert.deepEqual(field(cm, 'data'), { mode: 'green', extra: '1' });
    },
  },
  {
    title: 'patch --type=json replaces a service label after a passing test op',
    async run({ k }) {
      const before = parseJson(await k.ok('get', 'service', 'web', '-o', 'json'));
      const ops = [
        { op: 'test', path: '/spec/ports/0/port', value: 80 },
        { op: 'replace', path: '/metadata/labels/app', value: 'web-v2' },
      ];
      assert.deepEqual(lines(await k.ok('patch', 'service', 'web', '--type=json', '-p', JSON.stringify(ops))), ['service/web patched']);
      const svc = parseJson(await k.ok('get', 'service', 'web', '-o', 'json'));
      assert.deepEqual(field(svc, 'metadata.labels'), { app: 'web-v2' });
      assert.deepEqual(field(svc, 'spec'), field(before, 'spec'), 'the spec (selector, ClusterIP, ports) is untouched');
      assert.deepEqual(lines(await k.ok('get', 'services', '-l', 'app=web-v2', '-o', 'name')), ['service/web']);
    },
  },
  {
    title: 'scale deployment sets spec.replicas (no controller acts on it yet)',
    async run({ k }) {
      assert.deepEqual(lines(await k.ok('scale', 'deployment', 'web', '--replicas=3')), ['deployment.apps/web scaled']);
      assert.equal(await k.ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'), '3');
      assert.equal(row(parseTable(await k.ok('get', 'deploy', 'web')), 'web')['READY'], '0/3');
    },
  },
  {
    title: 'get configmaps -w sees a change made by another kubectl',
    async run({ k }) {
      const watch = k.watch('get', 'configmaps', '--watch', '--output-watch-events');
      try {
        // The initial list: the header and the configmap as it is (2 keys).
        await watch.waitFor(/^ADDED\s+web-config\s+2\s/m, WATCH_WAIT_MS);
        assert.match(watch.stdout(), /^EVENT\s+NAME\s+DATA\s+AGE\n/);
        const out = await k.ok('patch', 'configmap', 'web-config', '--type=merge', '-p', '{"data":{"watched":"yes"}}');
        assert.deepEqual(lines(out), ['configmap/web-config patched']);
        await watch.waitFor(/^MODIFIED\s+web-config\s+3\s/m, WATCH_WAIT_MS);
      } finally {
        await watch.stop();
      }
    },
  },
];
