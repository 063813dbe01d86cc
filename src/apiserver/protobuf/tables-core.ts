// k8s.io/api core/v1 messages (core/v1/generated.proto) reachable from the kinds kubectl's
// generators send. Volume sources, probes and security contexts cover the common members only;
// a member not listed is refused by number rather than dropped.
import { protoPackage } from './schema.js';

export const CORE_V1 = protoPackage('k8s.io.api.core.v1', {
  Namespace: 'metadata:1:ObjectMeta spec:2:NamespaceSpec status:3:NamespaceStatus',
  NamespaceSpec: 'finalizers:1:[]string',
  NamespaceStatus: 'phase:1 conditions:2:[]NamespaceCondition',
  NamespaceCondition: 'type:1! status:2! lastTransitionTime:4:Time reason:5 message:6',

  ConfigMap: 'metadata:1:ObjectMeta immutable:4:bool? data:2:{}string binaryData:3:{}bytes',
  Secret: 'metadata:1:ObjectMeta immutable:5:bool? data:2:{}bytes stringData:4:{}string type:3',
  ServiceAccount: `metadata:1:ObjectMeta secrets:2:[]ObjectReference imagePullSecrets:3:[]LocalObjectReference
    automountServiceAccountToken:4:bool?`,
  ObjectReference: 'kind:1 namespace:2 name:3 uid:4 apiVersion:5 resourceVersion:6 fieldPath:7',
  LocalObjectReference: 'name:1',

  Service: 'metadata:1:ObjectMeta spec:2:ServiceSpec status:3:ServiceStatus',
  ServiceSpec: `ports:1:[]ServicePort selector:2:{}string clusterIP:3 clusterIPs:18:[]string type:4
    externalIPs:5:[]string sessionAffinity:7 loadBalancerIP:8 loadBalancerSourceRanges:9:[]string externalName:10
    externalTrafficPolicy:11 healthCheckNodePort:12:int32 publishNotReadyAddresses:13:bool
    sessionAffinityConfig:14:SessionAffinityConfig ipFamilies:19:[]string ipFamilyPolicy:17?
    allocateLoadBalancerNodePorts:20:bool? loadBalancerClass:21? internalTrafficPolicy:22? trafficDistribution:23?`,
  ServicePort: 'name:1 protocol:2 appProtocol:6? port:3:int32! targetPort:4:IntOrString nodePort:5:int32',
  SessionAffinityConfig: 'clientIP:1:ClientIPConfig',
  ClientIPConfig: 'timeoutSeconds:1:int32?',
  ServiceStatus: 'loadBalancer:1:LoadBalancerStatus conditions:2:[]Condition',
  LoadBalancerStatus: 'ingress:1:[]LoadBalancerIngress',
  LoadBalancerIngress: 'ip:1 hostname:2 ipMode:3? ports:4:[]PortStatus',
  PortStatus: 'port:1:int32! protocol:2! error:3?',

  Pod: 'metadata:1:ObjectMeta spec:2:PodSpec status:3:PodStatus',
  PodTemplateSpec: 'metadata:1:ObjectMeta spec:2:PodSpec',
  PodSpec: `volumes:1:[]Volume initContainers:20:[]Container containers:2:[]Container restartPolicy:3
    terminationGracePeriodSeconds:4:int64? activeDeadlineSeconds:5:int64? dnsPolicy:6 nodeSelector:7:{}string
    serviceAccountName:8 serviceAccount:9 automountServiceAccountToken:21:bool? nodeName:10 hostNetwork:11:bool
    hostPID:12:bool hostIPC:13:bool shareProcessNamespace:27:bool? securityContext:14:PodSecurityContext
    imagePullSecrets:15:[]LocalObjectReference hostname:16 subdomain:17 schedulerName:19 tolerations:22:[]Toleration
    hostAliases:23:[]HostAlias priorityClassName:24 priority:25:int32? readinessGates:28:[]PodReadinessGate
    runtimeClassName:29? enableServiceLinks:30:bool? preemptionPolicy:31? overhead:32:{}Quantity
    setHostnameAsFQDN:35:bool? os:36:PodOS hostUsers:37:bool? schedulingGates:38:[]PodSchedulingGate`,
  Toleration: 'key:1 operator:2 value:3 effect:4 tolerationSeconds:5:int64?',
  HostAlias: 'ip:1! hostnames:2:[]string',
  PodReadinessGate: 'conditionType:1!',
  PodSchedulingGate: 'name:1!',
  PodOS: 'name:1!',
  PodSecurityContext: `runAsUser:2:int64? runAsGroup:6:int64? runAsNonRoot:3:bool? supplementalGroups:4:[]int64
    fsGroup:5:int64? sysctls:7:[]Sysctl fsGroupChangePolicy:9? seccompProfile:10:SeccompProfile`,
  Sysctl: 'name:1! value:2!',
  SeccompProfile: 'type:1! localhostProfile:2?',

  Container: `name:1! image:2 command:3:[]string args:4:[]string workingDir:5 ports:6:[]ContainerPort
    envFrom:19:[]EnvFromSource env:7:[]EnvVar resources:8:ResourceRequirements resizePolicy:23:[]ContainerResizePolicy
    restartPolicy:24? volumeMounts:9:[]VolumeMount volumeDevices:21:[]VolumeDevice livenessProbe:10:Probe
    readinessProbe:11:Probe startupProbe:22:Probe lifecycle:12:Lifecycle terminationMessagePath:13
    terminationMessagePolicy:20 imagePullPolicy:14 securityContext:15:SecurityContext stdin:16:bool
    stdinOnce:17:bool tty:18:bool`,
  ContainerPort: 'name:1 hostPort:2:int32 containerPort:3:int32! protocol:4 hostIP:5',
  EnvVar: 'name:1! value:2 valueFrom:3:EnvVarSource',
  EnvVarSource: `fieldRef:1:ObjectFieldSelector resourceFieldRef:2:ResourceFieldSelector
    configMapKeyRef:3:ConfigMapKeySelector secretKeyRef:4:SecretKeySelector`,
  ObjectFieldSelector: 'apiVersion:1 fieldPath:2!',
  ResourceFieldSelector: 'containerName:1 resource:2! divisor:3:Quantity',
  ConfigMapKeySelector: 'localObjectReference:1:LocalObjectReference^ key:2! optional:3:bool?',
  SecretKeySelector: 'localObjectReference:1:LocalObjectReference^ key:2! optional:3:bool?',
  EnvFromSource: 'prefix:1 configMapRef:2:ConfigMapEnvSource secretRef:3:SecretEnvSource',
  ConfigMapEnvSource: 'localObjectReference:1:LocalObjectReference^ optional:2:bool?',
  SecretEnvSource: 'localObjectReference:1:LocalObjectReference^ optional:2:bool?',
  ResourceRequirements: 'limits:1:{}Quantity requests:2:{}Quantity claims:3:[]ResourceClaim',
  ResourceClaim: 'name:1! request:2',
  ContainerResizePolicy: 'resourceName:1! restartPolicy:2!',
  VolumeMount: 'name:1! readOnly:2:bool recursiveReadOnly:7? mountPath:3! subPath:4 mountPropagation:5? subPathExpr:6',
  VolumeDevice: 'name:1! devicePath:2!',
  Probe: `handler:1:ProbeHandler^ initialDelaySeconds:2:int32 timeoutSeconds:3:int32 periodSeconds:4:int32
    successThreshold:5:int32 failureThreshold:6:int32 terminationGracePeriodSeconds:7:int64?`,
  ProbeHandler: 'exec:1:ExecAction httpGet:2:HTTPGetAction tcpSocket:3:TCPSocketAction grpc:4:GRPCAction',
  Lifecycle: 'postStart:1:LifecycleHandler preStop:2:LifecycleHandler stopSignal:3?',
  LifecycleHandler: 'exec:1:ExecAction httpGet:2:HTTPGetAction tcpSocket:3:TCPSocketAction sleep:4:SleepAction',
  ExecAction: 'command:1:[]string',
  HTTPGetAction: 'path:1 port:2:IntOrString! host:3 scheme:4 httpHeaders:5:[]HTTPHeader',
  HTTPHeader: 'name:1! value:2!',
  TCPSocketAction: 'port:1:IntOrString! host:2',
  GRPCAction: 'port:1:int32! service:2?',
  SleepAction: 'seconds:1:int64!',
  SecurityContext: `capabilities:1:Capabilities privileged:2:bool? runAsUser:4:int64? runAsGroup:8:int64?
    runAsNonRoot:5:bool? readOnlyRootFilesystem:6:bool? allowPrivilegeEscalation:7:bool? procMount:9?
    seccompProfile:11:SeccompProfile`,
  Capabilities: 'add:1:[]string drop:2:[]string',

  // Volume inlines its VolumeSource (field 2).
  Volume: 'name:1! source:2:VolumeSource^',
  VolumeSource: `hostPath:1:HostPathVolumeSource emptyDir:2:EmptyDirVolumeSource secret:6:SecretVolumeSource
    persistentVolumeClaim:10:PersistentVolumeClaimVolumeSource downwardAPI:16:DownwardAPIVolumeSource
    configMap:19:ConfigMapVolumeSource`,
  HostPathVolumeSource: 'path:1! type:2?',
  EmptyDirVolumeSource: 'medium:1 sizeLimit:2:Quantity',
  SecretVolumeSource: 'secretName:1 items:2:[]KeyToPath defaultMode:3:int32? optional:4:bool?',
  ConfigMapVolumeSource: 'localObjectReference:1:LocalObjectReference^ items:2:[]KeyToPath defaultMode:3:int32? optional:4:bool?',
  PersistentVolumeClaimVolumeSource: 'claimName:1! readOnly:2:bool',
  DownwardAPIVolumeSource: 'items:1:[]DownwardAPIVolumeFile defaultMode:2:int32?',
  DownwardAPIVolumeFile: 'path:1! fieldRef:2:ObjectFieldSelector resourceFieldRef:3:ResourceFieldSelector mode:4:int32?',
  KeyToPath: 'key:1! path:2! mode:3:int32?',

  PodStatus: `observedGeneration:17:int64 phase:1 conditions:2:[]PodCondition message:3 reason:4 nominatedNodeName:11
    hostIP:5 hostIPs:16:[]HostIP podIP:6 podIPs:12:[]PodIP startTime:7:Time qosClass:9 resize:14`,
  PodCondition: `type:1! observedGeneration:7:int64 status:2! lastProbeTime:3:Time lastTransitionTime:4:Time reason:5
    message:6`,
  PodIP: 'ip:1!',
  HostIP: 'ip:1!',
});
