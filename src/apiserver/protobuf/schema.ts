// Schema tables for decoding Kubernetes protobuf messages into the JSON the JSON path would
// produce. Field numbers come from upstream's generated.proto files; what to emit follows the Go
// types' json tags, because upstream's gogo marshaller writes every non-pointer field (even when
// empty) and pointer fields only when set:
//   plain     `json:",omitempty"` value: emitted when non-zero (messages: whenever present)
//   `!`       no omitempty (e.g. Container.name, ServicePort.port): emitted when present, even zero
//   `?`       a pointer (e.g. DeploymentSpec.replicas): emitted when present, even zero
//   `^`       an embedded struct inlined in JSON (e.g. LocalObjectReference in ConfigMapKeySelector)
// A table entry is `json:number[:type][flag]`; the type defaults to string; `[]T` is repeated,
// `{}T` a map<string, T>.

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';
/** Messages with their own JSON form rather than an object of fields. */
export type SpecialType = 'Time' | 'MicroTime' | 'IntOrString' | 'Quantity' | 'RawJSON';

export type Presence = 'omitempty' | 'always' | 'pointer' | 'inline';

export interface FieldSpec {
  readonly json: string;
  readonly number: number;
  /** A scalar, a special, or the name of another message in the registry. */
  readonly type: string;
  readonly repeated: boolean;
  /** map<string, type>; on the wire a repeated entry message {1: key, 2: value}. */
  readonly map: boolean;
  readonly presence: Presence;
}

export interface MessageSpec {
  /** Fully qualified protobuf name, for error messages. */
  readonly protoName: string;
  /** In declaration order, which is the JSON key order. */
  readonly fields: readonly FieldSpec[];
  readonly byNumber: ReadonlyMap<number, FieldSpec>;
}

export const SCALAR_TYPES: ReadonlySet<string> = new Set<ScalarType>(['string', 'bool', 'int32', 'int64', 'bytes']);
export const SPECIAL_TYPES: ReadonlySet<string> = new Set<SpecialType>(['Time', 'MicroTime', 'IntOrString', 'Quantity', 'RawJSON']);

const FLAGS: Record<string, Presence> = { '!': 'always', '?': 'pointer', '^': 'inline' };

/** Parses one table entry, e.g. `replicas:1:int32?` or `ports:6:[]ContainerPort`. */
export function parseField(entry: string): FieldSpec {
  const flag = FLAGS[entry.slice(-1)];
  const body = flag === undefined ? entry : entry.slice(0, -1);
  const [json, num, rawType = 'string', ...rest] = body.split(':');
  const number = Number(num);
  if (json === undefined || json === '' || !Number.isSafeInteger(number) || number < 1 || rest.length > 0) {
    throw new Error(`bad protobuf schema entry "${entry}"`);
  }
  const repeated = rawType.startsWith('[]');
  const map = rawType.startsWith('{}');
  const type = repeated || map ? rawType.slice(2) : rawType;
  return { json, number, type, repeated, map, presence: flag ?? 'omitempty' };
}

export function message(protoName: string, table: string): MessageSpec {
  const fields = table.split(/\s+/).filter((e) => e !== '').map(parseField);
  const byNumber = new Map<number, FieldSpec>();
  for (const f of fields) {
    if (byNumber.has(f.number)) throw new Error(`${protoName}: field number ${f.number} is listed twice`);
    byNumber.set(f.number, f);
  }
  return { protoName, fields, byNumber };
}

/** Builds the messages of one protobuf package from `{ Name: table }`. */
export function protoPackage(pkg: string, tables: Record<string, string>): Map<string, MessageSpec> {
  return new Map(Object.entries(tables).map(([name, table]) => [name, message(`${pkg}.${name}`, table)]));
}
