// What the controller itself last wrote, kept until its informer catches up: a sync that runs
// before the watch has delivered the controller's own write reads the written copy instead of
// the stale one, so it neither repeats the step nor fails on a stale resourceVersion.
import type { KubeObject } from '../../../api/object.js';

function version(obj: KubeObject): bigint | undefined {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}

export class Fresher<T extends { readonly uid: string; readonly obj: KubeObject }> {
  private readonly written = new Map<string, T>();

  record(v: T): T {
    this.written.set(v.uid, v);
    return v;
  }

  /** The newer of the cached value and the last written one. */
  pick(cached: T): T {
    const w = this.written.get(cached.uid);
    if (w === undefined) return cached;
    const wv = version(w.obj);
    const cv = version(cached.obj);
    if (wv !== undefined && cv !== undefined && wv > cv) return w;
    this.written.delete(cached.uid);
    return cached;
  }
}
