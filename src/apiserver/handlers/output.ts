// Rendering what get, list and watch return in the representation the client negotiated: the
// object itself (lists as <Kind>List with items lacking apiVersion/kind, as upstream's typed lists
// serialize), a meta.k8s.io Table, or PartialObjectMetadata.
import type { JsonObject, KubeObject } from '../../api/object.js';
import { asJson } from '../../api/json.js';
import type { Representation } from '../negotiation.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { TableConverter, TableOptions } from './context.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
}

export interface Renderer {
  representation: Representation;
  toTable: TableConverter;
  tableOptions: TableOptions;
}

export function renderObject(r: ResourceInfo, obj: KubeObject, out: Renderer): JsonObject {
  switch (out.representation) {
    case 'object':
      return asJson(obj);
    case 'metadata':
      return partial(obj);
    case 'table': {
      const table = out.toTable(r, [obj], out.tableOptions);
      table.metadata = { resourceVersion: obj.metadata.resourceVersion ?? '' };
      return table;
    }
  }
}

export function renderList(r: ResourceInfo, items: KubeObject[], meta: ListMeta, out: Renderer): JsonObject {
  const metadata: JsonObject = { resourceVersion: meta.resourceVersion };
  if (meta.continue !== undefined) metadata.continue = meta.continue;
  switch (out.representation) {
    case 'object':
      return {
        kind: `${r.kind}List`,
        apiVersion: apiVersionOf(r),
        metadata,
        items: items.map((o) => {
          const { apiVersion: _a, kind: _k, ...rest } = asJson(o);
          return rest;
        }),
      };
    case 'metadata':
      return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map(partial) };
    case 'table': {
      const table = out.toTable(r, items, out.tableOptions);
      table.metadata = metadata;
      return table;
    }
  }
}

function partial(obj: KubeObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: asJson(obj).metadata ?? {} };
}
