// What the tracker knows per service port: the Service's port and the endpoints its EndpointSlices
// give for it (merged across slices, conditions defaulted as upstream does). Plain data, so the
// change tracker can compare previous and current states and the planner stays pure.
import type { Endpoint, L4Protocol, ServicePort } from '../types.js';

export interface ServicePortState {
  svc: ServicePort;
  /** Deduplicated by ip:port, sorted by ip then port. */
  endpoints: Endpoint[];
}

/** One Service as the tracker keeps it: its IPv4 service ports (none for headless/ExternalName). */
export interface TrackedService {
  namespace: string;
  name: string;
  ports: ServicePort[];
}

export interface SlicePort {
  /** '' for an unnamed port. */
  name: string;
  protocol: L4Protocol;
  port: number;
}

export interface SliceEndpoint {
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

/** One EndpointSlice of a Service (label kubernetes.io/service-name). */
export interface TrackedSlice {
  namespace: string;
  name: string;
  serviceName: string;
  ports: SlicePort[];
  /** Empty for address types other than IPv4. */
  endpoints: SliceEndpoint[];
  /** endpoints.kubernetes.io/last-change-trigger-time in ms since the epoch, when set. */
  triggerTimeMs?: number;
}

/** A service port key's state before and after the changes since the last take (undefined: absent). */
export interface PortChange {
  previous: ServicePortState | undefined;
  current: ServicePortState | undefined;
}

export interface TrackerChanges {
  /** serviceKeyString → change; only keys whose state really differs. */
  ports: Map<string, PortChange>;
  /** Trigger times of the endpoint changes taken (for network programming latency). */
  triggerTimesMs: number[];
}
