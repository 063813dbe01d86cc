// The shape of the generated CRI tables (cri-descriptors.ts) that codec.ts interprets. Rows are
// tuples rather than objects to keep the generated file and its heap footprint small.

/** Field kinds: the proto scalar types, plus enum and message. */
export const K = {
  double: 1,
  float: 2,
  int32: 3,
  int64: 4,
  uint32: 5,
  uint64: 6,
  sint32: 7,
  sint64: 8,
  fixed32: 9,
  fixed64: 10,
  sfixed32: 11,
  sfixed64: 12,
  bool: 13,
  string: 14,
  bytes: 15,
  enum: 16,
  message: 17,
} as const;
export type Kind = (typeof K)[keyof typeof K];

/** Field flags, or-ed. A map field has MAP (not REPEATED); its kind/ref describe the value. */
export const F = {
  REPEATED: 1,
  /** Encoded packed (proto3 default for repeated numeric scalars); decoding accepts both. */
  PACKED: 2,
  MAP: 4,
} as const;

/**
 * [jsonName, fieldNumber, kind, flags, ref, mapKeyKind]: `ref` indexes MESSAGES (kind message)
 * or ENUMS (kind enum), else -1; `mapKeyKind` only on maps (the generator admits string keys).
 * Oneofs and proto3 `optional` are absent from CRI v1; the generator refuses them.
 */
export type FieldRow =
  | readonly [name: string, no: number, kind: Kind, flags: number, ref: number]
  | readonly [name: string, no: number, kind: Kind, flags: number, ref: number, mapKey: Kind];

/** [name relative to the package (nested: Outer.Inner), fields in declaration order]. */
export type MessageRow = readonly [name: string, fields: readonly FieldRow[]];

/** [name, value names, value numbers]; the first value is the default. */
export type EnumRow = readonly [name: string, names: readonly string[], numbers: readonly number[]];

/** [rpc name, request message index, response message index, server-streaming]. */
export type MethodRow = readonly [name: string, request: number, response: number, serverStream: boolean];

/** [service name relative to the package, methods]. */
export type ServiceRow = readonly [name: string, methods: readonly MethodRow[]];
