// bench/cri-pod-start: sandbox + container start through the CRI client on a private containerd,
// the floor that the agent's pod-startup benchmark is compared with. Images are pulled first, so
// the figures are RunPodSandbox (with CNI) + CreateContainer + StartContainer.
//
//   node dist/bench/cri-pod-start.js [--pods 20]
import { parseArgs } from 'node:util';
import { CriClient } from '../src/cri/client.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../test/harness/images.js';
import { startTestNode } from '../test/harness/testnode.js';
import { podConfig, shellContainer } from '../test/integration/cri/fixtures.js';
import { ms, percentile } from './lib/stats.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '20' } } });
const pods = Number(values.pods);
if (!Number.isInteger(pods) || pods < 1 || pods > 200) throw new Error('--pods takes a whole number from 1 to 200');

const node = await startTestNode();
try {
  const cri = node.add(new CriClient({ endpoint: node.containerd.socketPath }));
  await cri.pullImage(PAUSE_IMAGE.ref);
  await cri.pullImage(BUSYBOX_IMAGE.ref);
  const logRoot = node.tmp.join('pods');
  const started: string[] = [];

  const startOne = async (name: string): Promise<number> => {
    const pod = podConfig({ name, logRoot, cgroupParent: node.cgroupParent, labels: { bench: 'cri-pod-start' } });
    const t0 = performance.now();
    const podId = await cri.runPodSandbox(pod.config);
    const id = await cri.createContainer(podId, shellContainer('main', 'exec sleep 3600'), pod.config);
    await cri.startContainer(id);
    const elapsed = performance.now() - t0;
    started.push(podId);
    return elapsed;
  };

  const sequential: number[] = [];
  for (let i = 0; i < pods; i++) sequential.push(await startOne(`seq-${i}`));
  const t0 = performance.now();
  const concurrent = await Promise.all(Array.from({ length: pods }, (_, i) => startOne(`par-${i}`)));
  const wall = performance.now() - t0;

  const v = await cri.version();
  console.log(`cri-pod-start: ${v.runtimeName} ${v.runtimeVersion}, ${pods} pods (busybox sleep), images present`);
  console.log(`  one at a time : p50 ${ms(percentile(sequential, 50))}  p95 ${ms(percentile(sequential, 95))}  max ${ms(Math.max(...sequential))}`);
  console.log(`  all at once   : p50 ${ms(percentile(concurrent, 50))}  p95 ${ms(percentile(concurrent, 95))}  wall ${ms(wall)}`);

  // Clean up through CRI so the runtime does the teardown it would in real use.
  await Promise.all(
    started.map(async (podId) => {
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
    }),
  );
} finally {
  await node.dispose();
}
