// The agent does not give pods a cgroup parent yet, so containerd puts their containers under its
// default /k8s.io in every hierarchy, outside the test node's cgroups, and the node's sweep does not
// find them. After the benchmark, remove those that are empty (rmdir fails on a cgroup that still
// has tasks or children, e.g. another test's, which therefore stays).
import { readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

async function removeTree(dir: string): Promise<void> {
  for (const child of await subdirs(dir)) await removeTree(child);
  await rmdir(dir).catch(() => undefined);
}

/** Best effort: removes `/sys/fs/cgroup/<hierarchy>/<name>` (and below) where empty, in every hierarchy. */
export async function removeEmptyCgroups(name: string): Promise<void> {
  const hierarchies = [CGROUP_ROOT, ...(await subdirs(CGROUP_ROOT))];
  for (const h of hierarchies) {
    const dir = path.join(h, name);
    if ((await subdirs(h)).includes(dir)) await removeTree(dir);
  }
}
