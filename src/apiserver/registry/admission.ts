// Binds the defaulting (src/apiserver/defaults) and validation (src/apiserver/validation) modules
// to the registry's ObjectAdmission seam.
import { applyDefaults } from '../defaults/index.js';
import { invalidMessage, qualifiedKind, validateObject, type FieldCause } from '../validation/index.js';
import type { ResourceInfo } from '../resources.js';
import type { StatusCause } from '../status.js';
import type { ObjectAdmission } from './hooks.js';

export const defaultAdmission: ObjectAdmission = {
  applyDefaults: (r: ResourceInfo, obj) => applyDefaults(r.resource, obj),
  validate: (r, obj, old) => validateObject(r.resource, obj, old),
  invalidMessage: (r, name, causes) => invalidMessage(qualifiedKind(r.kind, r.group), name, causes.map(toFieldCause)),
};

function toFieldCause(c: StatusCause): FieldCause {
  return { reason: (c.reason ?? 'FieldValueInvalid') as FieldCause['reason'], message: c.message, field: c.field ?? '' };
}
