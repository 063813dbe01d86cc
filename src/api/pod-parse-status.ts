// Parsers for core/v1 PodStatus and ObjectMeta, as the agent reads them back from the apiserver.
import type { ObjectMeta, OwnerReference } from './object.js';
import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from './pod-types.js';
import { arrayOf, bool, int, mapOf, nonNegInt, object, oneOf, opt, req, str } from './pod-parse-schema.js';
import type { Parser } from './pod-parse-schema.js';

const ownerReference: Parser<OwnerReference> = object({
  apiVersion: req(str),
  kind: req(str),
  name: req(str),
  uid: req(str),
  controller: opt(bool),
  blockOwnerDeletion: opt(bool),
});

export const objectMetaFields = {
  name: opt(str),
  generateName: opt(str),
  namespace: opt(str),
  uid: opt(str),
  resourceVersion: opt(str),
  generation: opt(int),
  creationTimestamp: opt(str),
  deletionTimestamp: opt(str),
  deletionGracePeriodSeconds: opt(int),
  labels: opt(mapOf(str)),
  annotations: opt(mapOf(str)),
  ownerReferences: opt(arrayOf(ownerReference)),
  finalizers: opt(arrayOf(str)),
};

export const objectMeta: Parser<ObjectMeta> = object(objectMetaFields);

const containerState: Parser<ContainerState> = object({
  waiting: opt(object({ reason: opt(str), message: opt(str) })),
  running: opt(object({ startedAt: opt(str) })),
  terminated: opt(
    object({
      exitCode: req(int),
      signal: opt(int),
      reason: opt(str),
      message: opt(str),
      startedAt: opt(str),
      finishedAt: opt(str),
      containerID: opt(str),
    }),
  ),
});

const containerStatus: Parser<ContainerStatus> = (v, path) => {
  const parsed = object({
    name: req(str),
    state: opt(containerState),
    lastState: opt(containerState),
    ready: opt(bool),
    restartCount: opt(nonNegInt),
    image: opt(str),
    imageID: opt(str),
    containerID: opt(str),
    started: opt(bool),
  })(v, path);
  // Go zero values: these are non-pointer fields upstream, so an omitted one means empty/false/0.
  return {
    ...parsed,
    state: parsed.state ?? {},
    lastState: parsed.lastState ?? {},
    ready: parsed.ready ?? false,
    restartCount: parsed.restartCount ?? 0,
    image: parsed.image ?? '',
    imageID: parsed.imageID ?? '',
  };
};

const podCondition: Parser<PodCondition> = object({
  type: req(str),
  status: req(oneOf('True', 'False', 'Unknown')),
  lastProbeTime: opt(str),
  lastTransitionTime: opt(str),
  reason: opt(str),
  message: opt(str),
});

const podIP = object({ ip: req(str) });

export const podStatus: Parser<PodStatus> = object({
  phase: opt(oneOf('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown')),
  conditions: opt(arrayOf(podCondition)),
  message: opt(str),
  reason: opt(str),
  hostIP: opt(str),
  hostIPs: opt(arrayOf(podIP)),
  podIP: opt(str),
  podIPs: opt(arrayOf(podIP)),
  startTime: opt(str),
  qosClass: opt(oneOf('Guaranteed', 'Burstable', 'BestEffort')),
  initContainerStatuses: opt(arrayOf(containerStatus)),
  containerStatuses: opt(arrayOf(containerStatus)),
});
