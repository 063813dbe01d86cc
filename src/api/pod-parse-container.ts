// Parsers for core/v1 Container and what it holds (env, ports, probes, lifecycle, security
// context), declared field by field against the types in pod-types.ts.
import type {
  Container,
  ContainerPort,
  EnvFromSource,
  EnvVar,
  EnvVarSource,
  ExecAction,
  HttpGetAction,
  KeySelector,
  Lifecycle,
  LifecycleHandler,
  ObjectFieldSelector,
  Probe,
  ResourceFieldSelector,
  ResourceRequirements,
  SecurityContext,
  TcpSocketAction,
  VolumeMount,
} from './pod-types.js';
import {
  arrayOf,
  bool,
  int,
  intOrString,
  intRange,
  invalid,
  mapOf,
  nonNegInt,
  object,
  oneOf,
  opt,
  quantity,
  refine,
  req,
  str,
} from './pod-parse-schema.js';
import type { Parser } from './pod-parse-schema.js';

const strings = arrayOf(str);
const port = intRange(1, 65535);

export const objectFieldSelector: Parser<ObjectFieldSelector> = object({ apiVersion: opt(str), fieldPath: req(str) });
export const resourceFieldSelector: Parser<ResourceFieldSelector> = object({
  containerName: opt(str),
  resource: req(str),
  divisor: opt(quantity),
});
const keySelector: Parser<KeySelector> = object({ name: opt(str), key: req(str), optional: opt(bool) });

const envVarSource: Parser<EnvVarSource> = refine(
  object({
    fieldRef: opt(objectFieldSelector),
    resourceFieldRef: opt(resourceFieldSelector),
    configMapKeyRef: opt(keySelector),
    secretKeyRef: opt(keySelector),
  }),
  (s, path) => {
    const n = Object.keys(s).length;
    if (n !== 1) throw invalid(path, 'must specify exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef');
  },
);
const envVar: Parser<EnvVar> = object({ name: req(str), value: opt(str), valueFrom: opt(envVarSource) });
const envFrom: Parser<EnvFromSource> = object({
  prefix: opt(str),
  configMapRef: opt(object({ name: opt(str), optional: opt(bool) })),
  secretRef: opt(object({ name: opt(str), optional: opt(bool) })),
});

const containerPort: Parser<ContainerPort> = object({
  name: opt(str),
  containerPort: req(port),
  hostPort: opt(intRange(0, 65535)),
  hostIP: opt(str),
  protocol: opt(oneOf('TCP', 'UDP', 'SCTP')),
});

const resources: Parser<ResourceRequirements> = object({ limits: opt(mapOf(quantity)), requests: opt(mapOf(quantity)) });

const volumeMount: Parser<VolumeMount> = object({
  name: req(str),
  mountPath: req(str),
  readOnly: opt(bool),
  subPath: opt(str),
  mountPropagation: opt(oneOf('None', 'HostToContainer', 'Bidirectional')),
});

const execAction: Parser<ExecAction> = object({ command: opt(strings) });
const httpGet: Parser<HttpGetAction> = object({
  path: opt(str),
  port: req(intOrString),
  host: opt(str),
  scheme: opt(oneOf('HTTP', 'HTTPS')),
  httpHeaders: opt(arrayOf(object({ name: req(str), value: req(str) }))),
});
const tcpSocket: Parser<TcpSocketAction> = object({ port: req(intOrString), host: opt(str) });

/** Exactly one handler is set, as upstream validates probes and lifecycle handlers. */
function oneHandler(keys: readonly string[]) {
  return (h: object, path: string): void => {
    const set = keys.filter((k) => (h as Record<string, unknown>)[k] !== undefined);
    if (set.length !== 1) throw invalid(path, `must specify exactly one handler (${keys.join(', ')})`);
  };
}

const probe: Parser<Probe> = refine(
  object({
    exec: opt(execAction),
    httpGet: opt(httpGet),
    tcpSocket: opt(tcpSocket),
    grpc: opt(object({ port: req(port), service: opt(str) })),
    initialDelaySeconds: opt(nonNegInt),
    timeoutSeconds: opt(nonNegInt),
    periodSeconds: opt(nonNegInt),
    successThreshold: opt(nonNegInt),
    failureThreshold: opt(nonNegInt),
    terminationGracePeriodSeconds: opt(int),
  }),
  oneHandler(['exec', 'httpGet', 'tcpSocket', 'grpc']),
);

const lifecycleHandler: Parser<LifecycleHandler> = refine(
  object({
    exec: opt(execAction),
    httpGet: opt(httpGet),
    tcpSocket: opt(tcpSocket),
    sleep: opt(object({ seconds: req(nonNegInt) })),
  }),
  oneHandler(['exec', 'httpGet', 'tcpSocket', 'sleep']),
);
const lifecycle: Parser<Lifecycle> = object({ postStart: opt(lifecycleHandler), preStop: opt(lifecycleHandler) });

const securityContext: Parser<SecurityContext> = object({
  privileged: opt(bool),
  runAsUser: opt(nonNegInt),
  runAsGroup: opt(nonNegInt),
  runAsNonRoot: opt(bool),
  readOnlyRootFilesystem: opt(bool),
  allowPrivilegeEscalation: opt(bool),
  capabilities: opt(object({ add: opt(strings), drop: opt(strings) })),
});

const nonEmpty: Parser<string> = refine(str, (s, path) => {
  if (s.trim() === '') throw invalid(path, 'must not be empty');
});

export const container: Parser<Container> = object({
  name: req(nonEmpty),
  image: req(nonEmpty),
  command: opt(strings),
  args: opt(strings),
  workingDir: opt(str),
  ports: opt(arrayOf(containerPort)),
  env: opt(arrayOf(envVar)),
  envFrom: opt(arrayOf(envFrom)),
  resources: opt(resources),
  volumeMounts: opt(arrayOf(volumeMount)),
  livenessProbe: opt(probe),
  readinessProbe: opt(probe),
  startupProbe: opt(probe),
  lifecycle: opt(lifecycle),
  terminationMessagePath: opt(str),
  terminationMessagePolicy: opt(oneOf('File', 'FallbackToLogsOnError')),
  imagePullPolicy: opt(oneOf('Always', 'IfNotPresent', 'Never')),
  securityContext: opt(securityContext),
  stdin: opt(bool),
  tty: opt(bool),
  restartPolicy: opt(oneOf('Always')),
});
