// Runs the test server until killed, printing its kubeconfig path (manual checks with kubectl).
import { startTestServer } from './server.js';

const s = await startTestServer({ tls: true });
console.log(await s.kubeconfig());
process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
process.on('SIGINT', () => void s.close().then(() => process.exit(0)));
