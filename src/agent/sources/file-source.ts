// The static pod source (upstream pkg/kubelet/config/file.go + file_linux.go): every regular file
// in staticPodPath whose name does not start with '.' is a manifest of one Pod (a staticPodPath
// that is a file is the one manifest). fs.watch triggers a rescan; a poll every fileCheckFrequency
// is the safety net. Each scan pushes the full set of pods (level-triggered) to onSnapshot.
//
// A malformed manifest is logged and reported through onError once per content, never fatal, and
// never touches the other files' pods. Like upstream, a file that becomes unreadable keeps its
// last good pod after a watch event (upstream's watch path returns the error without touching the
// store, which also covers an editor's half-written file) and loses it at the next periodic scan
// (upstream's listConfig replaces the store from what parses).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Pod } from '../../api/pod-types.js';
import type { Clock } from '../../base/clock.js';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { staticPodFromManifest } from './static-pod.js';

export interface FileSourceDeps {
  clock: Clock;
  log: Logger;
}

export interface FileSourceOptions {
  /** staticPodPath: a directory of manifests, or one manifest file. */
  path: string;
  nodeName: string;
  /** fileCheckFrequency in ms (upstream default 20 s). */
  checkFrequencyMs: number;
  /** The full set of static pods after each scan (the first call marks the source as synced). */
  onSnapshot(pods: Pod[]): void;
  /** A manifest that cannot be read or is not a valid Pod; called once per distinct failure. */
  onError?(file: string, err: NodeletError): void;
}

interface FileEntry {
  text?: string;
  pod?: Pod;
  /** The last failure reported for this file, so a failing file is not reported on every scan. */
  failure?: string;
  /** The duplicate-name error last reported for this file's pod. */
  duplicate?: string;
}

export class FileSource implements Disposable {
  private readonly files = new Map<string, FileEntry>();
  private readonly controller = new AbortController();
  private watcher: FSWatcher | undefined;
  /** The inode of the watched path: a path deleted and created again needs a new watch. */
  private watchedIno: number | undefined;
  private loop: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private queuedDrop = false;
  private missingLogged = false;

  constructor(
    private readonly deps: FileSourceDeps,
    private readonly opts: FileSourceOptions,
  ) {}

  /** Starts watching and polling; the first scan runs right away. Idempotent. */
  start(): void {
    this.loop ??= this.run(this.controller.signal);
  }

  /**
   * Scans now (coalesced: a call while a scan is queued joins it). `periodic` scans drop the pods
   * of files that no longer parse; watch-triggered ones keep them until then.
   */
  rescan(periodic = true): Promise<void> {
    if (periodic) this.queuedDrop = true;
    if (this.queued !== undefined) return this.queued;
    const next = this.tail.then(() => {
      const drop = this.queuedDrop;
      this.queued = undefined;
      this.queuedDrop = false;
      return this.scan(drop);
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  async dispose(): Promise<void> {
    this.controller.abort();
    this.closeWatcher();
    await this.loop;
    await this.tail;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.ensureWatcher();
      await this.rescan(true);
      try {
        await this.deps.clock.sleep(this.opts.checkFrequencyMs, signal);
      } catch {
        return;
      }
    }
  }

  /** Watches the directory (or the file's directory); retried at every poll until it works. */
  private ensureWatcher(): void {
    if (this.watcher !== undefined || this.controller.signal.aborted) return;
    try {
      const w = watch(this.opts.path, { persistent: false }, () => {
        if (!this.controller.signal.aborted) void this.rescan(false);
      });
      w.on('error', (err) => {
        this.deps.log.warn('static pod path watch failed; polling until it can be watched again', { path: this.opts.path, error: errorMessage(err) });
        if (this.watcher === w) this.closeWatcher();
        else w.close();
      });
      this.watcher = w;
      this.watchedIno = undefined;
    } catch {
      // The path does not exist (yet): the poll notices it and retries the watch.
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedIno = undefined;
  }

  /** The manifest files now present, sorted; [] when the path does not exist. */
  private async listFiles(): Promise<string[]> {
    const root = this.opts.path;
    let info;
    try {
      info = await stat(root);
    } catch (err) {
      this.closeWatcher();
      if (!this.missingLogged) this.deps.log.info('static pod path does not exist; no static pods', { path: root, error: errorMessage(err) });
      this.missingLogged = true;
      return [];
    }
    this.missingLogged = false;
    if (this.watcher !== undefined) {
      // The first scan after a watch starts records what it watches; another inode means the
      // path was replaced and the watch is on the old one: the next poll watches the new one.
      this.watchedIno ??= info.ino;
      if (this.watchedIno !== info.ino) this.closeWatcher();
    }
    if (info.isFile()) return [root];
    if (!info.isDirectory()) {
      this.deps.log.warn('static pod path is neither a directory nor a file', { path: root });
      return [];
    }
    const names = (await readdir(root)).filter((n) => !n.startsWith('.')).sort();
    const out: string[] = [];
    for (const name of names) {
      const file = path.join(root, name);
      try {
        // stat, not lstat: a symlink to a manifest is a manifest (as upstream's os.Stat).
        const s = await stat(file);
        if (s.isFile()) out.push(file);
        else if (s.isDirectory()) this.deps.log.debug('not recursing into a directory in the static pod path', { path: file });
      } catch {
        // Removed between readdir and stat, or a dangling symlink: not a manifest.
      }
    }
    return out;
  }

  private async scan(dropBroken: boolean): Promise<void> {
    if (this.controller.signal.aborted) return;
    let files: string[];
    try {
      files = await this.listFiles();
    } catch (err) {
      // The directory exists but cannot be read: keep what we have and say so.
      this.deps.log.error('cannot read the static pod path', { path: this.opts.path, error: errorMessage(err) });
      return;
    }
    const present = new Set(files);
    for (const file of this.files.keys()) if (!present.has(file)) this.files.delete(file);
    for (const file of files) await this.load(file, dropBroken);
    if (this.controller.signal.aborted) return;
    this.opts.onSnapshot(this.collect());
  }

  private async load(file: string, dropBroken: boolean): Promise<void> {
    const entry = this.files.get(file) ?? {};
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const e = new NodeletError(ErrorCode.InvalidArgument, `static pod manifest ${file}: cannot read: ${errorMessage(err)}`, { cause: err });
      this.fail(file, { ...entry, text: undefined }, e, dropBroken);
      return;
    }
    if (entry.text === text) {
      // Same text, same outcome: a good pod stays the same object (and config.seen); a failure is
      // not reported again, but its last good pod goes at a periodic scan.
      if (entry.failure !== undefined && dropBroken) entry.pod = undefined;
      return;
    }
    try {
      const pod = staticPodFromManifest(text, { nodeName: this.opts.nodeName, file, now: this.deps.clock.now() });
      this.files.set(file, { text, pod });
    } catch (err) {
      const e = new NodeletError(ErrorCode.InvalidArgument, `static pod manifest ${file}: ${errorMessage(err)}`, { cause: err });
      this.fail(file, { ...entry, text }, e, dropBroken);
    }
  }

  private fail(file: string, entry: FileEntry, err: NodeletError, dropBroken: boolean): void {
    if (entry.failure !== err.message) {
      this.deps.log.error('invalid static pod manifest; its pod is not run', { file, error: err.message });
      this.opts.onError?.(file, err);
    }
    // After a watch event the last good pod stays until the next periodic scan (see the header).
    this.files.set(file, { ...entry, pod: dropBroken ? undefined : entry.pod, failure: err.message });
  }

  /** The pods of all good files; a pod whose namespace/name an earlier file took is an error. */
  private collect(): Pod[] {
    const byName = new Map<string, string>();
    const pods: Pod[] = [];
    for (const [file, entry] of [...this.files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const pod = entry.pod;
      if (pod === undefined) continue;
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const owner = byName.get(key);
      if (owner !== undefined) {
        const message = `static pod manifest ${file}: pod ${key} is already defined by ${owner}`;
        if (entry.duplicate !== message) {
          this.deps.log.error('duplicate static pod; its pod is not run', { file, error: message });
          this.opts.onError?.(file, new NodeletError(ErrorCode.InvalidArgument, message));
          entry.duplicate = message;
        }
        continue;
      }
      entry.duplicate = undefined;
      byName.set(key, file);
      pods.push(pod);
    }
    return pods;
  }
}
