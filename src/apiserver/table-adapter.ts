// Binds the Table printers (src/apiserver/table) to the handlers' TableConverter seam.
import type { TableConverter } from './handlers/context.js';
import { toTable } from './table/index.js';

export const tableConverter: TableConverter = (r, objects, opts) => toTable(r.resource, objects, opts);
