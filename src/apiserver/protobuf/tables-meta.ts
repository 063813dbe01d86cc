// k8s.io/apimachinery meta/v1 messages (pkg/apis/meta/v1/generated.proto) and the envelope.
import { protoPackage } from './schema.js';

export const META_V1 = protoPackage('k8s.io.apimachinery.pkg.apis.meta.v1', {
  // clusterName (15) was removed in 1.25; older clients still write it, empty.
  ObjectMeta: `name:1 generateName:2 namespace:3 selfLink:4 uid:5 resourceVersion:6 generation:7:int64
    creationTimestamp:8:Time deletionTimestamp:9:Time deletionGracePeriodSeconds:10:int64? labels:11:{}string
    annotations:12:{}string ownerReferences:13:[]OwnerReference finalizers:14:[]string clusterName:15
    managedFields:17:[]ManagedFieldsEntry`,
  OwnerReference: 'apiVersion:5! kind:1! name:3! uid:4! controller:6:bool? blockOwnerDeletion:7:bool?',
  // fieldsV1 is a FieldsV1 message whose field 1 holds the raw JSON.
  ManagedFieldsEntry: 'manager:1 operation:2 apiVersion:3 time:4:Time fieldsType:6 fieldsV1:7:RawJSON subresource:8',
  LabelSelector: 'matchLabels:1:{}string matchExpressions:2:[]LabelSelectorRequirement',
  LabelSelectorRequirement: 'key:1! operator:2! values:3:[]string',
  Condition: 'type:1! status:2! observedGeneration:3:int64 lastTransitionTime:4:Time! reason:5! message:6!',
});

/** runtime.Unknown, the envelope after the 4-byte magic. */
export const ENVELOPE = protoPackage('k8s.io.apimachinery.pkg.runtime', {
  Unknown: 'typeMeta:1:TypeMeta raw:2:bytes contentEncoding:3 contentType:4',
  TypeMeta: 'apiVersion:1 kind:2',
});
