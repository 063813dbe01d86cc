// The two locally built images (see images/build.sh) and how they reach a test node's registry.
// Pods refer to them as nodelet.local/...; containerd maps nodelet.local to the node's loopback
// registry, so a pull of nodelet.local/busybox:1.35 is a real pull from 127.0.0.1:5000.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runChecked, systemExec } from '../../src/base/exec.js';
import { IMAGE_CACHE_DIR, PROJECT_ROOT } from './paths.js';
import type { Registry } from './registry.js';

export interface TestImage {
  /** The reference pods use, e.g. nodelet.local/busybox:1.35. */
  readonly ref: string;
  /** Repository and tag inside the node's registry, e.g. busybox:1.35. */
  readonly repo: string;
  readonly tag: string;
  /** The OCI image layout built by images/build.sh. */
  readonly layoutDir: string;
}

/** The sandbox (pause) image: entrypoint /pause. */
export const PAUSE_IMAGE: TestImage = {
  ref: 'nodelet.local/pause:3.10',
  repo: 'pause',
  tag: '3.10',
  layoutDir: path.join(IMAGE_CACHE_DIR, 'pause'),
};

/** Debian's busybox-static with every applet in /bin (sh, sleep, httpd, nc, wget, ...); cmd /bin/sh. */
export const BUSYBOX_IMAGE: TestImage = {
  ref: 'nodelet.local/busybox:1.35',
  repo: 'busybox',
  tag: '1.35',
  layoutDir: path.join(IMAGE_CACHE_DIR, 'busybox'),
};

export const TEST_IMAGES: readonly TestImage[] = [PAUSE_IMAGE, BUSYBOX_IMAGE];

/** The reference of an image inside a registry, e.g. 127.0.0.1:5000/busybox:1.35. */
export function registryRef(image: TestImage, registryAddress: string): string {
  return `${registryAddress}/${image.repo}:${image.tag}`;
}

let building: Promise<void> | undefined;

/**
 * Builds the image layouts when missing or out of date, once per process. Runs images/build.sh
 * every time rather than only when layouts are missing: it is a few hash sums when nothing changed,
 * and an edited pause.c then cannot go unnoticed.
 */
export function ensureImagesBuilt(): Promise<void> {
  building ??= (async () => {
    await runChecked(systemExec, 'bash', [path.join(PROJECT_ROOT, 'images', 'build.sh')], { timeoutMs: 120_000 });
    const missing = TEST_IMAGES.filter((img) => !existsSync(path.join(img.layoutDir, 'index.json')));
    if (missing.length > 0) throw new Error(`images/build.sh did not build ${missing.map((i) => i.ref).join(', ')}`);
  })();
  return building;
}

/** Copies both images into the registry (from inside its network namespace). */
export async function pushImages(registry: Registry): Promise<void> {
  await ensureImagesBuilt();
  for (const img of TEST_IMAGES) {
    await registry.netns.runChecked(
      'skopeo',
      ['copy', '--quiet', '--dest-tls-verify=false', `oci:${img.layoutDir}:${img.tag}`, `docker://${registryRef(img, registry.address)}`],
      { timeoutMs: 60_000 },
    );
  }
}
