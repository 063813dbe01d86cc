// Table responses (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), what `kubectl get`
// asks for: column definitions and one row of cells per object, with the object itself as
// PartialObjectMetadata (the default), in full, or not at all (?includeObject=).
import { asJson } from '../../api/json.js';
import type { JsonObject, JsonValue, KubeObject } from '../../api/object.js';
import { POD_COLUMNS, podRow } from './pods.js';
import { DEFAULT_PRINTER, PRINTERS } from './printers.js';
import type { Printer } from './printers.js';
import type { ColumnDefinition } from './types.js';

export { humanDuration, translateTimestampSince } from './duration.js';
export type { ColumnDefinition, Row, RowCondition } from './types.js';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface TableOptions {
  includeObject: IncludeObject;
  /** The time ages are computed at, in ms since the epoch. */
  now: number;
  /** The list's resourceVersion, for the Table's metadata. */
  resourceVersion?: string;
  /** A list continue token, carried into the Table's metadata. */
  continue?: string;
}

const POD_PRINTER: Printer = { columns: POD_COLUMNS, row: podRow };

/** The printer for a resource (plural), or the default Name/Created At one. */
export function printerFor(resource: string): Printer {
  if (resource === 'pods') return POD_PRINTER;
  return PRINTERS.get(resource) ?? DEFAULT_PRINTER;
}

function columnJson(c: ColumnDefinition): JsonObject {
  return { name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 };
}

function rowObject(obj: KubeObject, include: IncludeObject): JsonValue | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return asJson(obj);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: asJson(obj)['metadata'] ?? {} };
}

export function toTable(resource: string, objects: KubeObject[], opts: TableOptions): JsonObject {
  const printer = printerFor(resource);
  const rows = objects.map((obj) => {
    const row = printer.row(asJson(obj), opts.now);
    const out: JsonObject = { cells: row.cells };
    if (row.conditions !== undefined) out['conditions'] = row.conditions.map((c) => ({ ...c }));
    const object = rowObject(obj, opts.includeObject);
    if (object !== undefined) out['object'] = object;
    return out;
  });
  const metadata: JsonObject = {};
  if (opts.resourceVersion !== undefined) metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.continue !== undefined && opts.continue !== '') metadata['continue'] = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: printer.columns.map(columnJson),
    rows,
  };
}
