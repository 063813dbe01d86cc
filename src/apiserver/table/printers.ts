// Table printers of the other kinds, after pkg/printers/internalversion/printers.go. The server
// always prints the wide columns (priority 1); kubectl hides them unless `-o wide`.
import { arrayAt, numberAt, objectAt, objectsAt, stringAt, stringMapAt } from '../../api/json.js';
import { formatLabelSelectorObject, formatLabels } from '../../api/labels.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { translateTimestampSince } from './duration.js';
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN } from './types.js';
import type { ColumnDefinition, Row } from './types.js';

export interface Printer {
  columns: ColumnDefinition[];
  row(obj: JsonObject, now: number): Row;
}

const col = (name: string, type: ColumnDefinition['type'], description: string, priority = 0): ColumnDefinition =>
  priority === 0 ? { name, type, description } : { name, type, description, priority };

function nameOf(obj: JsonObject): string {
  return stringAt(objectAt(obj, 'metadata'), 'name') ?? '';
}

function ageOf(obj: JsonObject, now: number): string {
  return translateTimestampSince(stringAt(objectAt(obj, 'metadata'), 'creationTimestamp'), now);
}

function containerCells(spec: JsonObject | undefined): [string, string] {
  const containers = objectsAt(spec, 'containers');
  return [containers.map((c) => stringAt(c, 'name') ?? '').join(','), containers.map((c) => stringAt(c, 'image') ?? '').join(',')];
}

function templateSpec(obj: JsonObject): JsonObject | undefined {
  return objectAt(objectAt(objectAt(obj, 'spec'), 'template'), 'spec');
}

function count(v: JsonValue | undefined): number {
  return v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
}

/** At most three items, then " + N more..." as upstream's list columns. */
function listWithMore(items: string[], empty: string): string {
  const shown = items.slice(0, 3).join(',');
  if (items.length > 3) return `${shown} + ${items.length - 3} more...`;
  return shown === '' ? empty : shown;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function serviceExternalIP(spec: JsonObject | undefined, status: JsonObject | undefined): string {
  const externalIPs = (arrayAt(spec, 'externalIPs') ?? []).filter((v): v is string => typeof v === 'string');
  switch (stringAt(spec, 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = objectsAt(objectAt(status, 'loadBalancer'), 'ingress');
      const lb = [...new Set(ingress.map((i) => stringAt(i, 'ip') || stringAt(i, 'hostname') || '').filter((v) => v !== ''))].sort();
      const all = [...lb, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return stringAt(spec, 'externalName') ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(spec: JsonObject | undefined): string {
  const text = objectsAt(spec, 'ports')
    .map((p) => {
      const port = numberAt(p, 'port') ?? 0;
      const nodePort = numberAt(p, 'nodePort') ?? 0;
      const protocol = stringAt(p, 'protocol') ?? '';
      return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
    })
    .join(',');
  return text === '' ? '<none>' : text;
}

function nodeStatus(obj: JsonObject): string {
  const ready = objectsAt(objectAt(obj, 'status'), 'conditions').find((c) => c['type'] === 'Ready');
  const parts = [ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady'];
  if (objectAt(obj, 'spec')?.['unschedulable'] === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(obj: JsonObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(stringMapAt(objectAt(obj, 'metadata'), 'labels') ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(obj: JsonObject, type: string): string {
  return stringAt(objectsAt(objectAt(obj, 'status'), 'addresses').find((a) => a['type'] === type), 'address') ?? '<none>';
}

function endpointsText(obj: JsonObject): string {
  const subsets = objectsAt(obj, 'subsets');
  if (subsets.length === 0) return '<none>';
  const items: string[] = [];
  for (const s of subsets) {
    const ips = objectsAt(s, 'addresses').map((a) => stringAt(a, 'ip') ?? '');
    const ports = objectsAt(s, 'ports');
    if (ports.length === 0) items.push(...ips);
    for (const p of ports) items.push(...ips.map((ip) => hostPort(ip, numberAt(p, 'port') ?? 0)));
  }
  return listWithMore(items, '');
}

function eventTime(obj: JsonObject, now: number): [string, string, number] {
  const first = stringAt(obj, 'firstTimestamp');
  const firstText = first ? translateTimestampSince(first, now) : translateTimestampSince(stringAt(obj, 'eventTime'), now);
  const last = stringAt(obj, 'lastTimestamp');
  let lastText = last ? translateTimestampSince(last, now) : firstText;
  let n = numberAt(obj, 'count') ?? 0;
  const series = objectAt(obj, 'series');
  if (series !== undefined) {
    lastText = translateTimestampSince(stringAt(series, 'lastObservedTime'), now);
    n = numberAt(series, 'count') ?? 0;
  } else if (n === 0) {
    n = 1;
  }
  return [lastText, firstText, n];
}

export const PRINTERS: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  [
    'nodes',
    {
      columns: [
        NAME_COLUMN,
        col('Status', 'string', 'The status of the node'),
        col('Roles', 'string', 'The roles of the node'),
        AGE_COLUMN,
        col('Version', 'string', 'Kubelet Version reported by the node.'),
        col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
        col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
        col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
        col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
      ],
      row(obj, now) {
        const info = objectAt(objectAt(obj, 'status'), 'nodeInfo');
        const orUnknown = (key: string): string => (stringAt(info, key) ?? '') || '<unknown>';
        return {
          cells: [
            nameOf(obj), nodeStatus(obj), nodeRoles(obj), ageOf(obj, now), stringAt(info, 'kubeletVersion') ?? '',
            nodeAddress(obj, 'InternalIP'), nodeAddress(obj, 'ExternalIP'),
            orUnknown('osImage'), orUnknown('kernelVersion'), orUnknown('containerRuntimeVersion'),
          ],
        };
      },
    },
  ],
  [
    'services',
    {
      columns: [
        NAME_COLUMN,
        col('Type', 'string', 'type determines how the Service is exposed.'),
        col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
        col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
        col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
        AGE_COLUMN,
        col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
      ],
      row(obj, now) {
        const spec = objectAt(obj, 'spec');
        const ips = (arrayAt(spec, 'clusterIPs') ?? []).filter((v): v is string => typeof v === 'string');
        const clusterIP = ips[0] ?? ((stringAt(spec, 'clusterIP') ?? '') || '<none>');
        return {
          cells: [
            nameOf(obj), stringAt(spec, 'type') ?? '', clusterIP, serviceExternalIP(spec, objectAt(obj, 'status')),
            servicePorts(spec), ageOf(obj, now), formatLabels(stringMapAt(spec, 'selector')),
          ],
        };
      },
    },
  ],
  [
    'deployments',
    {
      columns: [
        NAME_COLUMN,
        col('Ready', 'string', 'Number of the pod with ready state'),
        col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
        col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
        AGE_COLUMN,
        CONTAINERS_COLUMN,
        IMAGES_COLUMN,
        col('Selector', 'string', 'Label selector for pods.', 1),
      ],
      row(obj, now) {
        const spec = objectAt(obj, 'spec');
        const status = objectAt(obj, 'status');
        const [names, images] = containerCells(templateSpec(obj));
        return {
          cells: [
            nameOf(obj), `${numberAt(status, 'readyReplicas') ?? 0}/${numberAt(spec, 'replicas') ?? 0}`,
            numberAt(status, 'updatedReplicas') ?? 0, numberAt(status, 'availableReplicas') ?? 0, ageOf(obj, now),
            names, images, formatLabelSelectorObject(spec?.['selector']),
          ],
        };
      },
    },
  ],
  [
    'replicasets',
    {
      columns: [
        NAME_COLUMN,
        col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
        col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
        col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
        AGE_COLUMN,
        CONTAINERS_COLUMN,
        IMAGES_COLUMN,
        col('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
      ],
      row(obj, now) {
        const spec = objectAt(obj, 'spec');
        const status = objectAt(obj, 'status');
        const [names, images] = containerCells(templateSpec(obj));
        return {
          cells: [
            nameOf(obj), numberAt(spec, 'replicas') ?? 0, numberAt(status, 'replicas') ?? 0, numberAt(status, 'readyReplicas') ?? 0,
            ageOf(obj, now), names, images, formatLabelSelectorObject(spec?.['selector']),
          ],
        };
      },
    },
  ],
  [
    'namespaces',
    {
      columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), stringAt(objectAt(obj, 'status'), 'phase') ?? '', ageOf(obj, now)] }),
    },
  ],
  [
    'configmaps',
    {
      columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), count(obj['data']) + count(obj['binaryData']), ageOf(obj, now)] }),
    },
  ],
  [
    'secrets',
    {
      columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), stringAt(obj, 'type') ?? '', count(obj['data']), ageOf(obj, now)] }),
    },
  ],
  [
    'serviceaccounts',
    {
      columns: [NAME_COLUMN, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), (arrayAt(obj, 'secrets') ?? []).length, ageOf(obj, now)] }),
    },
  ],
  [
    'endpoints',
    {
      columns: [NAME_COLUMN, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), endpointsText(obj), ageOf(obj, now)] }),
    },
  ],
  [
    'endpointslices',
    {
      columns: [
        NAME_COLUMN,
        col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
        col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
        col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
        AGE_COLUMN,
      ],
      row(obj, now) {
        const ports = objectsAt(obj, 'ports').map((p) => {
          const port = numberAt(p, 'port');
          return port !== undefined ? String(port) : (stringAt(p, 'name') ?? '*');
        });
        const addresses = objectsAt(obj, 'endpoints').flatMap((e) => (arrayAt(e, 'addresses') ?? []).map((a) => (typeof a === 'string' ? a : '')));
        return { cells: [nameOf(obj), stringAt(obj, 'addressType') ?? '', listWithMore(ports, '<unset>'), listWithMore(addresses, '<unset>'), ageOf(obj, now)] };
      },
    },
  ],
  [
    'leases',
    {
      columns: [NAME_COLUMN, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
      row: (obj, now) => ({ cells: [nameOf(obj), stringAt(objectAt(obj, 'spec'), 'holderIdentity') ?? '', ageOf(obj, now)] }),
    },
  ],
  [
    'events',
    {
      columns: [
        col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
        col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
        col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
        col('Object', 'string', 'The object that this event is about.'),
        col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
        col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
        col('Message', 'string', 'A human-readable description of the status of this operation.'),
        col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
        col('Count', 'string', 'The number of times this event has occurred.', 1),
        { ...NAME_COLUMN, priority: 1 },
      ],
      row(obj, now) {
        const [last, first, n] = eventTime(obj, now);
        const involved = objectAt(obj, 'involvedObject');
        const kind = (stringAt(involved, 'kind') ?? '').toLowerCase();
        const target = (stringAt(involved, 'name') ?? '') !== '' ? `${kind}/${stringAt(involved, 'name') ?? ''}` : kind;
        const source = objectAt(obj, 'source');
        const component = (stringAt(source, 'component') ?? '') || (stringAt(obj, 'reportingComponent') ?? '');
        const host = (stringAt(source, 'host') ?? '') || (stringAt(obj, 'reportingInstance') ?? '');
        return {
          cells: [
            last, stringAt(obj, 'type') ?? '', stringAt(obj, 'reason') ?? '', target, stringAt(involved, 'fieldPath') ?? '',
            host === '' ? component : `${component}, ${host}`, (stringAt(obj, 'message') ?? '').trim(), first, n, nameOf(obj),
          ],
        };
      },
    },
  ],
]);

/** The default table (DefaultTableConvertor) of kinds without a printer. */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, { name: 'Created At', type: 'date', description: AGE_COLUMN.description }],
  row(obj) {
    const created = stringAt(objectAt(obj, 'metadata'), 'creationTimestamp');
    const ms = created === undefined ? NaN : Date.parse(created);
    return { cells: [nameOf(obj), Number.isNaN(ms) ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')] };
  },
};
