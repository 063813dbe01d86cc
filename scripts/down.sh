#!/usr/bin/env bash
# `make down`: stops what `make up` started, by the PIDs it recorded, and leaves no process behind.
# Pods go first through the apiserver (the agent stops them as in real use), then whatever the
# runtime still holds of them is removed through CRI (StopPodSandbox runs the CNI DEL), then the
# daemons stop. A private containerd is stopped and its mounts, shims, bridge and CNI cache
# removed; the machine's containerd keeps running and keeps everything that is not ours.
# Data (apiserver database, registry, images) stays for the next `make up`; --purge deletes $STATE.
set -uo pipefail
# shellcheck source=scripts/up-lib.sh
source "$(dirname "$0")/up-lib.sh"

purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    *) echo "usage: scripts/down.sh [--purge]" >&2; exit 2 ;;
  esac
done
if [ ! -d "$STATE" ]; then
  say "nothing to stop ($STATE does not exist)"
  exit 0
fi

mode=$(runtime_mode || true)
sock=$(runtime_sock || true)
uids_file=$RUN/pod-uids
mkdir -p "$RUN"

# 1. Pods, through the apiserver, while the agent still runs.
if running apiserver && [ -f "$KUBECONFIG_FILE" ]; then
  kubectl_up get pods -A -o 'jsonpath={range .items[*]}{.metadata.uid}{"\n"}{end}' >>"$uids_file" 2>/dev/null || true
  if running agent && [ -s "$uids_file" ]; then
    say "deleting pods (the agent stops them)"
    # A short grace: busybox-style PID 1s ignore SIGTERM, and nothing here needs 30 s to stop.
    kubectl_up delete pods --all -A --wait=false --grace-period=5 >/dev/null 2>&1 || true
    no_pods() { [ -z "$(kubectl_up get pods -A -o name 2>/dev/null)" ]; }
    wait_for 30 agent no_pods || say "pods still listed after 30s; removing them through CRI instead"
  fi
fi

# 2. The proxy (and its rules), the agent, then the apiserver.
stop_daemon proxy 15
if [ -f "$CLI" ]; then "$NODE" "$CLI" proxy --cleanup --log-format text >>"$LOGS/proxy.log" 2>&1 || say "proxy --cleanup failed; see $LOGS/proxy.log"; fi
stop_daemon agent 15
stop_daemon apiserver 15

# 3. What the runtime still holds: every sandbox of a private containerd; of the machine's, only
#    those of the pods this cluster had (by pod UID).
remove_sandboxes() {
  local all=$1
  NODELET_CRI_ENDPOINT="unix://$sock" NODELET_REMOVE_ALL=$all NODELET_UIDS_FILE=$uids_file \
    "$NODE" --input-type=module -e "
      import { readFileSync } from 'node:fs';
      const { CriClient } = await import('$ROOT/dist/src/cri/client.js');
      const env = process.env;
      let uids = new Set();
      try { uids = new Set(readFileSync(env.NODELET_UIDS_FILE, 'utf8').split('\n').filter(Boolean)); } catch {}
      const cri = new CriClient({ endpoint: env.NODELET_CRI_ENDPOINT, timeoutMs: 60000 });
      try {
        const mine = (await cri.listPodSandbox()).filter((s) => env.NODELET_REMOVE_ALL === '1' || uids.has(s.labels['io.kubernetes.pod.uid'] ?? ''));
        await Promise.all(mine.map(async (s) => {
          await cri.stopPodSandbox(s.id);
          await cri.removePodSandbox(s.id);
        }));
        if (mine.length > 0) console.error('nodelet-up: removed ' + mine.length + ' pod sandbox(es) through CRI');
      } finally { cri.close(); }
    " || say "warning: removing pod sandboxes through CRI failed"
}
# A private containerd that died leaves shims and containers running: start it again (same config)
# so that CRI tears the sandboxes down properly, network included.
sandbox_dir=$PRIVATE_CONTAINERD_DIR/root/io.containerd.grpc.v1.cri/sandboxes
if [ "$mode" = private ] && ! running containerd && [ -n "$(ls -A "$sandbox_dir" 2>/dev/null)" ] && [ -f "$PRIVATE_CONTAINERD_DIR/config.toml" ]; then
  say "containerd is not running but pods remain; starting it to remove them"
  start_daemon containerd "$PRIVATE_CONTAINERD_DIR/config.toml" containerd --config "$PRIVATE_CONTAINERD_DIR/config.toml"
  wait_for 30 containerd ctr --address "$sock" version || say "warning: containerd did not come back; removing by force"
fi
if [ "$mode" = private ] && running containerd; then
  remove_sandboxes 1
elif [ "$mode" = system ] && [ -s "$uids_file" ] && ctr --address "$sock" version >/dev/null 2>&1; then
  remove_sandboxes 0
fi

# 4. The private containerd and everything it leaves when stopped.
if [ "$mode" = private ]; then
  d=$PRIVATE_CONTAINERD_DIR
  if running containerd; then
    # Anything CRI did not know (e.g. ctr-run containers): kill and delete, in every namespace.
    for ns in $(ctr --address "$sock" namespaces ls -q 2>/dev/null); do
      for id in $(ctr --address "$sock" -n "$ns" tasks ls -q 2>/dev/null); do ctr --address "$sock" -n "$ns" tasks rm -f "$id" >/dev/null 2>&1; done
      for id in $(ctr --address "$sock" -n "$ns" containers ls -q 2>/dev/null); do ctr --address "$sock" -n "$ns" containers rm "$id" >/dev/null 2>&1; done
    done
  fi
  stop_daemon containerd 10
  # Shims outlive containerd; theirs mention its socket. Kill them by PID.
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    case "$cmd" in *containerd-shim*"$d/"*) say "killing leftover shim ${p#/proc/}"; kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
  done
  # Sandbox shm and netns mounts, deepest first.
  awk -v pre="$d/" 'index($5, pre) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "warning: cannot unmount $m"
  done
  # libcni's result cache (/var/lib/cni/results/<network>-<sandbox id>-<ifname>, also cni-loopback-...).
  if [ -d "$d/root/io.containerd.grpc.v1.cri/sandboxes" ]; then
    for id in $(ls "$d/root/io.containerd.grpc.v1.cri/sandboxes"); do
      rm -f /var/lib/cni/results/*-"$id"-*
    done
  fi
  rm -rf "$d/state" "$d/cni/ipam" "$d/runc"
  # Pods' cgroup parents (containerd's default /k8s.io, kubelet-style /kubepods...): remove the
  # ones left empty, deepest first. rmdir fails on a cgroup with tasks or children, which stays.
  for top in /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice /sys/fs/cgroup/k8s.io /sys/fs/cgroup/kubepods; do
    [ -d "$top" ] && find "$top" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
    say "removing the pod bridge $CNI_BRIDGE"
    ip link delete "$CNI_BRIDGE" || say "warning: cannot delete link $CNI_BRIDGE"
  fi
fi

# 5. The registry.
stop_daemon registry 10

# 6. Nothing of ours may still run: a daemon naming $STATE is one up.sh started (or a child of one).
left=()
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$pid" = $$ ] && continue
  cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
  case "$cmd" in *"$STATE/"*) ;; *) continue ;; esac
  # Only the kinds of process up.sh starts (not, say, a `less` of a log file).
  case "$(cat "$p/comm" 2>/dev/null)" in node | containerd | containerd-shim* | docker-registry) left+=("$pid") ;; esac
done
if [ ${#left[@]} -gt 0 ]; then
  say "killing leftover processes: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
fi
rm -f "$STATE/runtime.env" "$uids_file"

if [ "$purge" = 1 ]; then
  if awk -v pre="$STATE/" 'index($5, pre) == 1 {found=1} END {exit !found}' /proc/self/mountinfo; then
    say "not deleting $STATE: something is still mounted below it"
    exit 1
  fi
  rm -rf "$STATE"
  say "deleted $STATE"
fi
say "down"
