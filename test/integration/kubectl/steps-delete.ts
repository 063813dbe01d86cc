// The kubectl script, part 3: delete (graceful for a bound pod, at once for an unscheduled one,
// forced, by file), bad input that kubectl and the server reject, and a clean shutdown.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { lines, parseTable } from './kubectl-runner.js';
import { KINDS, assertNotFound, manifest, row, type Step } from './steps.js';

export const deleteSteps: readonly Step[] = [
  {
    title: 'delete a bound pod: it stays Terminating with a deletionTimestamp until --grace-period=0 --force',
    async run({ k }) {
      assert.deepEqual(lines(await k.ok('delete', 'pod', 'web-pod', '--wait=false')), ['pod "web-pod" deleted']);
      const stamp = await k.ok('get', 'pod', 'web-pod', '-o', 'jsonpath={.metadata.deletionTimestamp}');
      assert.ok(!Number.isNaN(Date.parse(stamp)), `deletionTimestamp is a time: "${stamp}"`);
      assert.equal(await k.ok('get', 'pod', 'web-pod', '-o', 'jsonpath={.metadata.deletionGracePeriodSeconds}'), '30');
      assert.equal(row(parseTable(await k.ok('get', 'pods')), 'web-pod')['STATUS'], 'Terminating');

      // An unscheduled pod has no node to confirm: it goes at once (kubectl's default --wait returns).
      assert.deepEqual(lines(await k.ok('delete', 'pod', 'loose-pod', '--timeout=10s')), ['pod "loose-pod" deleted']);
      await assertNotFound(k, 'pod', 'loose-pod');

      const forced = await k.run('delete', 'pod', 'web-pod', '--grace-period=0', '--force');
      assert.equal(forced.code, 0, forced.stderr);
      assert.deepEqual(lines(forced.stdout), ['pod "web-pod" force deleted']);
      assert.match(forced.stderr, /Immediate deletion does not wait for confirmation/);
      await assertNotFound(k, 'pod', 'web-pod');
      assert.equal(await k.ok('get', 'pods', '-o', 'name'), '');
    },
  },
  {
    title: 'delete -f removes the rest',
    async run({ k }) {
      assert.deepEqual(lines(await k.ok('delete', '-f', manifest('app.yaml'), '--timeout=20s')), [
        'service "web" deleted',
        'configmap "web-config" deleted',
        'secret "web-secret" deleted',
        'deployment.apps "web" deleted',
      ]);
      assert.deepEqual(lines(await k.ok('get', KINDS, '-o', 'name')), ['service/kubernetes']);
    },
  },
  {
    title: 'bad input: malformed YAML and JSON, an invalid name, an invalid pod; the server stays up',
    async run({ k, server }) {
      // kubectl parses YAML itself: a malformed file never reaches the server.
      const malformed = await k.fails('apply', '-f', manifest('malformed.yaml'));
      assert.match(malformed.stderr, /error parsing .*malformed\.yaml: .*yaml: line \d+/);

      // A malformed body sent as is: the server's 400.
      const truncated = await k.fails('create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', manifest('truncated.json'));
      assert.match(truncated.stderr, /^Error from server \(BadRequest\): .*json parse error/m);

      // -v=6 logs each request with its status (the line's layout differs between kubectl versions): the POST got 422.
      const badName = await k.fails('apply', '-f', manifest('bad-name.yaml'), '-v=6');
      assert.match(badName.stderr, /^.*POST.*https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/configmaps\?.*422 Unprocessable Entity/m);
      assert.match(badName.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);

      const badPod = await k.fails('apply', '-f', manifest('bad-pod.yaml'));
      assert.match(badPod.stderr, /The Pod "bad-pod" is invalid: /);
      assert.match(badPod.stderr, /spec\.restartPolicy: Unsupported value: "Sometimes"/);
      assert.match(badPod.stderr, /spec\.containers\[0\]\.image: Required value/);

      // Nothing was created, and the server still serves.
      assert.ok(!lines(await k.ok('get', 'configmaps', '-o', 'name')).includes('configmap/Bad_Name'), 'no configmap Bad_Name');
      await assertNotFound(k, 'pod', 'bad-pod');
      assert.equal(await k.ok('get', '--raw', '/readyz'), 'ok');
      assert.ok(server.daemon.running(), 'the apiserver process still runs');
    },
  },
  {
    title: 'bad input: an unknown kind, a wrong apiVersion, a body over 3 MiB; the server stays up',
    async run({ k, server }) {
      // kubectl validates against the server's OpenAPI, then maps the kind by discovery: neither kind is served.
      const unknown = await k.fails('apply', '-f', manifest('unknown-kind.yaml'));
      assert.match(unknown.stderr, /^error: resource mapping not found for name: "frob" namespace: "" from ".*unknown-kind\.yaml": no matches for kind "Frobnicator" in version "v1"$/m);
      assert.match(unknown.stderr, /^ensure CRDs are installed first$/m);
      assert.doesNotMatch(unknown.stderr, /openapi/);

      const wrong = await k.fails('apply', '-f', manifest('wrong-apiversion.yaml'));
      assert.match(wrong.stderr, /resource mapping not found for name: "wrong-group-version" namespace: "" from ".*wrong-apiversion\.yaml": no matches for kind "Deployment" in version "apps\/v2"$/m);
      assert.match(wrong.stderr, /resource mapping not found for name: "wrong-group" namespace: "" from ".*wrong-apiversion\.yaml": no matches for kind "Deployment" in version "v1"$/m);
      assert.doesNotMatch(wrong.stderr, /openapi/);

      // A ConfigMap with a 4 MiB value: the POST is refused with upstream's 413 and its limit.
      const huge = server.tmp.join('huge-configmap.yaml');
      await writeFile(huge, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  big: ${'x'.repeat(4 * 1024 * 1024)}\n`);
      const tooLarge = await k.fails('apply', '-f', huge, '-v=6');
      assert.match(tooLarge.stderr, /^.*POST.*\/api\/v1\/namespaces\/default\/configmaps\?.*413 (Payload|Request Entity) Too Large/m);
      assert.match(tooLarge.stderr, /^Error from server \(RequestEntityTooLarge\): error when creating ".*huge-configmap\.yaml": Request entity too large: limit is 3145728$/m);

      // Nothing was created, and the server still serves.
      await assertNotFound(k, 'configmap', 'huge');
      assert.deepEqual(lines(await k.ok('get', 'deployments', '-o', 'name')), []);
      assert.equal(await k.ok('get', '--raw', '/readyz'), 'ok');
      assert.ok(server.daemon.running(), 'the apiserver process still runs');
    },
  },
  {
    title: 'SIGTERM stops the apiserver cleanly',
    async run({ server }) {
      await server.daemon.stop(10_000);
      const exit = await server.daemon.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, server.daemon.logTail(20));
      // The JSON log says why it stopped, and nothing in the whole script was logged as an error.
      const log = await readFile(server.daemon.logFile, 'utf8');
      assert.match(log, /"message":"shutting down".*"signal":"SIGTERM"/);
      assert.doesNotMatch(log, /"level":"error"/);
    },
  },
];
