// The kubectl script, part 1: looking at the cluster, apply (create, then one change), the get
// output formats and describe.
import assert from 'node:assert/strict';
import { lines, parseTable } from './kubectl-runner.js';
import { field, inCidr, parseJson, parseYamlDoc, resourceVersions, text } from './objects.js';
import { AGE, KINDS, UID, manifest, row, templateContainer, type Step } from './steps.js';

const LAST_APPLIED = ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'];

export const applySteps: readonly Step[] = [
  {
    title: 'cluster-info, api-resources and get ns show the cluster',
    async run({ k, server }) {
      const info = await k.ok('cluster-info');
      assert.ok(info.includes(`Kubernetes control plane is running at ${server.url}\n`), info);

      const resources = parseTable(await k.ok('api-resources'));
      assert.deepEqual(resources.columns, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      const expected: Array<[string, string, string, string, string]> = [
        ['pods', 'po', 'v1', 'true', 'Pod'],
        ['services', 'svc', 'v1', 'true', 'Service'],
        ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
        ['secrets', '', 'v1', 'true', 'Secret'],
        ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
        ['nodes', 'no', 'v1', 'false', 'Node'],
        ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
        ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
        ['leases', '', 'coordination.k8s.io/v1', 'true', 'Lease'],
        ['endpointslices', '', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
      ];
      for (const [name, shortNames, apiVersion, namespaced, kind] of expected) {
        assert.deepEqual(row(resources, name), { NAME: name, SHORTNAMES: shortNames, APIVERSION: apiVersion, NAMESPACED: namespaced, KIND: kind });
      }

      const ns = parseTable(await k.ok('get', 'ns'));
      assert.deepEqual(ns.columns, ['NAME', 'STATUS', 'AGE']);
      assert.deepEqual(ns.rows.map((r) => r['NAME']).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      for (const r of ns.rows) {
        assert.equal(r['STATUS'], 'Active', `namespace ${r['NAME']}`);
        assert.match(r['AGE'] ?? '', AGE);
      }
    },
  },
  {
    title: 'apply -f creates a Pod, a Service, a ConfigMap, a Secret and a Deployment',
    async run({ k }) {
      const out = await k.ok('apply', '-f', manifest('pods.yaml'), '-f', manifest('app.yaml'));
      assert.deepEqual(lines(out), [
        'pod/web-pod created',
        'pod/loose-pod created',
        'service/web created',
        'configmap/web-config created',
        'secret/web-secret created',
        'deployment.apps/web created',
      ]);
      const all = resourceVersions(parseJson(await k.ok('get', KINDS, '-o', 'json')));
      assert.deepEqual([...all.keys()].sort(), [
        'ConfigMap/web-config', 'Deployment/web', 'Pod/loose-pod', 'Pod/web-pod', 'Secret/web-secret', 'Service/kubernetes', 'Service/web',
      ]);
    },
  },
  {
    title: 'apply -f again with one change: the changed objects are configured, nothing else moves',
    async run({ k }) {
      const before = resourceVersions(parseJson(await k.ok('get', KINDS, '-o', 'json')));
      const out = await k.ok('apply', '-f', manifest('pods.yaml'), '-f', manifest('app-changed.yaml'));
      assert.deepEqual(lines(out), [
        'pod/web-pod unchanged',
        'pod/loose-pod unchanged',
        'service/web unchanged',
        'configmap/web-config configured',
        'secret/web-secret unchanged',
        'deployment.apps/web configured',
      ]);
      const after = resourceVersions(parseJson(await k.ok('get', KINDS, '-o', 'json')));
      assert.equal(after.size, before.size);
      for (const [key, rv] of before) {
        if (key === 'ConfigMap/web-config' || key === 'Deployment/web') assert.notEqual(after.get(key), rv, `${key} has a new resourceVersion`);
        else assert.equal(after.get(key), rv, `${key} kept its resourceVersion`);
      }

      const dep = parseJson(await k.ok('get', 'deployment', 'web', '-o', 'json'));
      assert.equal(field(templateContainer(dep, 'app'), 'image'), 'nginx:1.27');
      assert.equal(field(templateContainer(dep, 'sidecar'), 'image'), 'busybox:1.35');
      assert.equal(field(dep, 'metadata.generation'), 2, 'a spec change bumps the generation');
      assert.match(text(dep, LAST_APPLIED), /"image":"nginx:1\.27"/);
      const cm = parseJson(await k.ok('get', 'configmap', 'web-config', '-o', 'json'));
      assert.deepEqual(field(cm, 'data'), { mode: 'green', size: 'small' });
    },
  },
  {
    title: 'get -o yaml and -o json show the stored pod with server-side defaults',
    async run({ k }) {
      const pod = parseYamlDoc(await k.ok('get', 'pod', 'web-pod', '-o', 'yaml'));
      assert.equal(field(pod, 'apiVersion'), 'v1');
      assert.equal(field(pod, 'kind'), 'Pod');
      assert.equal(field(pod, 'metadata.name'), 'web-pod');
      assert.equal(field(pod, 'metadata.namespace'), 'default');
      assert.match(text(pod, 'metadata.uid'), UID);
      assert.match(text(pod, 'metadata.resourceVersion'), /^\d+$/);
      assert.ok(!Number.isNaN(Date.parse(text(pod, 'metadata.creationTimestamp'))), 'creationTimestamp is a time');
      assert.deepEqual(field(pod, 'metadata.labels'), { app: 'web' });
      assert.equal(field(pod, 'spec.nodeName'), 'node-1');
      // Defaults the server fills in, as upstream does.
      assert.equal(field(pod, 'spec.restartPolicy'), 'Always');
      assert.equal(field(pod, 'spec.dnsPolicy'), 'ClusterFirst');
      assert.equal(field(pod, 'spec.terminationGracePeriodSeconds'), 30);
      assert.equal(field(pod, 'spec.schedulerName'), 'default-scheduler');
      assert.equal(field(pod, 'spec.containers.0.imagePullPolicy'), 'IfNotPresent', 'a tagged image is pulled if not present');
      assert.equal(field(pod, 'spec.containers.0.terminationMessagePath'), '/dev/termination-log');
      assert.equal(field(pod, 'spec.containers.0.terminationMessagePolicy'), 'File');
      assert.deepEqual(field(pod, 'spec.containers.0.command'), ['sleep', '3600']);
      assert.equal(field(pod, 'status.phase'), 'Pending');

      // -o json prints the same object.
      assert.deepEqual(parseJson(await k.ok('get', 'pod', 'web-pod', '-o', 'json')), pod);
      const loose = parseJson(await k.ok('get', 'pod', 'loose-pod', '-o', 'json'));
      assert.equal(field(loose, 'spec.containers.0.imagePullPolicy'), 'Always', 'an untagged image is always pulled');
      assert.equal(field(loose, 'spec.nodeName'), undefined);
    },
  },
  {
    title: 'get pods -o wide, get deploy, get svc, get cm/secrets print the usual columns',
    async run({ k }) {
      const pods = parseTable(await k.ok('get', 'pods', '-o', 'wide'));
      assert.deepEqual(pods.columns, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      assert.deepEqual(pods.rows.map((r) => r['NAME']), ['loose-pod', 'web-pod']);
      const web = row(pods, 'web-pod');
      assert.deepEqual({ ...web, AGE: '' }, {
        NAME: 'web-pod', READY: '0/1', STATUS: 'Pending', RESTARTS: '0', AGE: '', IP: '<none>', NODE: 'node-1', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>',
      });
      assert.match(web['AGE'] ?? '', AGE);
      assert.equal(row(pods, 'loose-pod')['NODE'], '<none>');

      const deploys = parseTable(await k.ok('get', 'deploy'));
      assert.deepEqual(deploys.columns, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.deepEqual({ ...row(deploys, 'web'), AGE: '' }, { NAME: 'web', READY: '0/1', 'UP-TO-DATE': '0', AVAILABLE: '0', AGE: '' });

      const svcs = parseTable(await k.ok('get', 'svc'));
      assert.deepEqual(svcs.columns, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const svc = row(svcs, 'web');
      assert.equal(svc['TYPE'], 'ClusterIP');
      assert.ok(inCidr(svc['CLUSTER-IP'] ?? '', '10.96.0.0/12'), `ClusterIP ${svc['CLUSTER-IP']} is in 10.96.0.0/12`);
      assert.notEqual(svc['CLUSTER-IP'], '10.96.0.1', 'the first address belongs to the kubernetes Service');
      assert.equal(svc['EXTERNAL-IP'], '<none>');
      assert.equal(svc['PORT(S)'], '80/TCP');
      assert.deepEqual({ ...row(svcs, 'kubernetes'), AGE: '' }, { NAME: 'kubernetes', TYPE: 'ClusterIP', 'CLUSTER-IP': '10.96.0.1', 'EXTERNAL-IP': '<none>', 'PORT(S)': '443/TCP', AGE: '' });
      const svcJson = parseJson(await k.ok('get', 'svc', 'web', '-o', 'json'));
      assert.equal(field(svcJson, 'spec.clusterIP'), svc['CLUSTER-IP']);
      assert.deepEqual(field(svcJson, 'spec.ports.0'), { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 });

      const cms = parseTable(await k.ok('get', 'configmaps'));
      assert.deepEqual(cms.columns, ['NAME', 'DATA', 'AGE']);
      assert.equal(row(cms, 'web-config')['DATA'], '2');
      const secrets = parseTable(await k.ok('get', 'secrets'));
      assert.deepEqual(secrets.columns, ['NAME', 'TYPE', 'DATA', 'AGE']);
      assert.deepEqual({ ...row(secrets, 'web-secret'), AGE: '' }, { NAME: 'web-secret', TYPE: 'Opaque', DATA: '1', AGE: '' });
      const password = await k.ok('get', 'secret', 'web-secret', '-o', 'jsonpath={.data.password}');
      assert.equal(Buffer.from(password, 'base64').toString('utf8'), 'hunter2');
    },
  },
  {
    title: 'describe pod shows name, namespace, node, labels, containers and image',
    async run({ k }) {
      const out = await k.ok('describe', 'pod', 'web-pod');
      for (const line of [
        /^Name:\s+web-pod$/m,
        /^Namespace:\s+default$/m,
        /^Service Account:\s+default$/m,
        /^Node:\s+node-1\//m,
        /^Labels:\s+app=web$/m,
        /^Status:\s+Pending$/m,
        /^Containers:\n {2}main:\n/m,
        /^ {4}Image:\s+busybox:1\.35$/m,
        /^ {4}Command:\n {6}sleep\n {6}3600$/m,
        /^QoS Class:\s+BestEffort$/m,
        /^Tolerations:\s+node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s$/m,
        /^Events:\s+<none>$/m,
      ]) {
        assert.match(out, line);
      }
    },
  },
];
