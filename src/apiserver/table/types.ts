// The meta.k8s.io/v1 Table shapes the printers produce.
import type { JsonValue } from '../../api/object.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1: shown by `kubectl get -o wide`. */
  priority?: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface Row {
  cells: JsonValue[];
  conditions?: RowCondition[];
}

export const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

export const AGE_COLUMN: ColumnDefinition = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

export const CONTAINERS_COLUMN: ColumnDefinition = { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' };
export const IMAGES_COLUMN: ColumnDefinition = { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' };
