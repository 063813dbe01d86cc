// The pod-source mux (upstream pkg/kubelet/config/config.go PodConfig): every source pushes full
// snapshots of its pods (level-triggered); the mux keeps the last snapshot per source, merges them
// into one desired set keyed by uid and emits only what changed, as PodChange[] to one handler.
//
// - A pod is re-emitted only when it changed semantically: metadata (minus config.seen, which the
//   mux keeps from first sight, and minus server bookkeeping such as resourceVersion), spec, or
//   deletion fields. Status-only updates (the agent's own status writes coming back through the
//   watch) are not changes; getPod() still returns the newest object.
// - Every pod carries kubernetes.io/config.source and config.seen (first time the mux saw it), as
//   upstream's mux annotates pods of every source.
// - A static (file) pod wins over an api pod with the same uid: the api pod is ignored while the
//   file pod exists, so the apiserver cannot override what a manifest on the node says.
// - allSourcesReady() is true once every configured source delivered a first snapshot: until
//   then the agent must not remove running pods it finds no desire for (they may belong to a
//   source that has not spoken yet), which keeps containers alive across an agent restart.
import { jsonEqual } from '../../api/json.js';
import type { JsonValue } from '../../api/object.js';
import type { Pod } from '../../api/pod-types.js';
import type { Clock } from '../../base/clock.js';
import { SourceAnnotation } from '../labels.js';

export type PodSource = 'file' | 'api';

export type PodChange =
  | { op: 'set'; pod: Pod; source: PodSource }
  | { op: 'remove'; uid: string; source: PodSource };

export interface PodConfigDeps {
  clock: Clock;
}

export interface PodConfigOptions {
  /** The sources this agent runs; allSourcesReady() waits for each. */
  sources: readonly PodSource[];
  /** Called synchronously from update() with the changes of that update (never empty). */
  onChanges(changes: PodChange[]): void;
}

/** Sources in priority order: a uid present in an earlier source hides it in later ones. */
const PRIORITY: readonly PodSource[] = ['file', 'api'];

interface Entry {
  pod: Pod;
  source: PodSource;
}

/** What makes two versions of a pod the same desired pod: no status, seen or server bookkeeping. */
function semantic(pod: Pod): JsonValue {
  const m = pod.metadata;
  const annotations = { ...(m.annotations ?? {}) };
  delete annotations[SourceAnnotation.seen];
  const view = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    labels: m.labels,
    annotations,
    ownerReferences: m.ownerReferences,
    deletionTimestamp: m.deletionTimestamp,
    deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
    spec: pod.spec,
  };
  // Pod fields are JSON by construction (parsePod built them); the view is a plain object of them.
  return JSON.parse(JSON.stringify(view)) as JsonValue;
}

export class PodConfig {
  private readonly bySource = new Map<PodSource, Map<string, Pod>>();
  private merged = new Map<string, Entry>();
  private readonly seen = new Map<string, string>();
  private readonly annotated = new WeakMap<Pod, { source: PodSource; seen: string; pod: Pod }>();

  constructor(
    private readonly deps: PodConfigDeps,
    private readonly opts: PodConfigOptions,
  ) {}

  /** A function a source calls with each full snapshot of its pods. */
  updater(source: PodSource): (pods: Pod[]) => void {
    return (pods) => this.update(source, pods);
  }

  /** Replaces `source`'s pods with `pods` (a full snapshot) and emits what changed. */
  update(source: PodSource, pods: readonly Pod[]): void {
    const snapshot = new Map<string, Pod>();
    for (const pod of pods) snapshot.set(pod.metadata.uid, this.annotate(pod, source));
    this.bySource.set(source, snapshot);
    const next = this.merge();
    const changes = this.diff(this.merged, next);
    this.merged = next;
    for (const uid of this.seen.keys()) if (!next.has(uid) && !this.inAnySource(uid)) this.seen.delete(uid);
    if (changes.length > 0) this.opts.onChanges(changes);
  }

  /** True once every configured source delivered its first snapshot. */
  allSourcesReady(): boolean {
    return this.opts.sources.every((s) => this.bySource.has(s));
  }

  sourceReady(source: PodSource): boolean {
    return this.bySource.has(source);
  }

  /** The newest object of a desired pod (status included), or undefined. */
  getPod(uid: string): Pod | undefined {
    return this.merged.get(uid)?.pod;
  }

  /** The desired pods with their source. */
  pods(): Array<{ pod: Pod; source: PodSource }> {
    return [...this.merged.values()].map((e) => ({ pod: e.pod, source: e.source }));
  }

  /** A copy of the pod with config.source and the first-seen config.seen annotations. */
  private annotate(pod: Pod, source: PodSource): Pod {
    const uid = pod.metadata.uid;
    const annotations = pod.metadata.annotations ?? {};
    let seen = this.seen.get(uid);
    if (seen === undefined) {
      seen = annotations[SourceAnnotation.seen] ?? new Date(this.deps.clock.now()).toISOString();
      this.seen.set(uid, seen);
    }
    if (annotations[SourceAnnotation.source] === source && annotations[SourceAnnotation.seen] === seen) return pod;
    // Sources hand in the same object for a pod that did not change: keep its annotated copy, so
    // the diff sees identity and a watch event costs O(changed pods), not O(all pods).
    const cached = this.annotated.get(pod);
    if (cached !== undefined && cached.source === source && cached.seen === seen) return cached.pod;
    const copy: Pod = {
      ...pod,
      metadata: { ...pod.metadata, annotations: { ...annotations, [SourceAnnotation.source]: source, [SourceAnnotation.seen]: seen } },
    };
    this.annotated.set(pod, { source, seen, pod: copy });
    return copy;
  }

  private inAnySource(uid: string): boolean {
    for (const pods of this.bySource.values()) if (pods.has(uid)) return true;
    return false;
  }

  private merge(): Map<string, Entry> {
    const out = new Map<string, Entry>();
    for (const source of PRIORITY) {
      for (const [uid, pod] of this.bySource.get(source) ?? []) if (!out.has(uid)) out.set(uid, { pod, source });
    }
    return out;
  }

  private diff(prev: Map<string, Entry>, next: Map<string, Entry>): PodChange[] {
    const changes: PodChange[] = [];
    for (const [uid, old] of prev) if (!next.has(uid)) changes.push({ op: 'remove', uid, source: old.source });
    for (const [uid, cur] of next) {
      const old = prev.get(uid);
      if (old !== undefined && old.source === cur.source && (old.pod === cur.pod || jsonEqual(semantic(old.pod), semantic(cur.pod)))) continue;
      changes.push({ op: 'set', pod: cur.pod, source: cur.source });
    }
    return changes;
  }
}
