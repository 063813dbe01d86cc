# Sourced by scripts/up.sh: the private containerd of `make up` (when no containerd answers on
# /run/containerd/containerd.sock) and its CNI network. The facts are those of the test harness's
# render (test/harness/containerd-config.ts), with every path under $PRIVATE_CONTAINERD_DIR.

write_containerd_config() {
  local d=$PRIVATE_CONTAINERD_DIR
  mkdir -p "$d/root" "$d/state" "$d/opt" "$d/runc" "$d/cni/conf" "$d/cni/ipam"
  cat >"$d/config.toml" <<EOF
# Written by scripts/up.sh (nodelet make up); rewritten on every start.
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "$PRIVATE_CONTAINERD_SOCK"

[ttrpc]
  address = "$PRIVATE_CONTAINERD_SOCK.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "nodelet.local/pause:3.10"
  # Machines without CAP_SYS_RESOURCE: runc cannot set an oom_score_adj below its parent's.
  restrict_oom_score_adj = true
  # containerd 1.6's spelling (1.7: netns_mounts_under): pod netns files under state, not /var/run/netns.
  netns_mounts_under_state_dir = true
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni/conf"
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$d/runc"

  # nodelet.local/... images come from the loopback registry, over plain http.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."nodelet.local"]
    endpoint = ["http://$REGISTRY_ADDR"]
EOF
  # bridge + host-local IPAM + portmap. No loopback entry: containerd's CRI brings up each pod's lo
  # itself (with /usr/lib/cni/loopback), and a conflist holds one interface-creating plugin only.
  cat >"$d/cni/conf/10-nodelet-up.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$d/cni/ipam",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

containerd_answers() { ctr --address "$1" version >/dev/null 2>&1; }

# Step (a): sets SOCK and MODE (system|private) and records them in $STATE/runtime.env.
ensure_containerd() {
  if running containerd; then
    SOCK=$PRIVATE_CONTAINERD_SOCK MODE=private
    say "containerd: private one already running (pid $(pid_of containerd))"
  elif [ "$(runtime_mode)" != private ] && [ -S "$SYSTEM_CONTAINERD_SOCK" ] && containerd_answers "$SYSTEM_CONTAINERD_SOCK"; then
    SOCK=$SYSTEM_CONTAINERD_SOCK MODE=system
    say "containerd: using the one on $SYSTEM_CONTAINERD_SOCK"
    load_images_into_system_containerd
  else
    SOCK=$PRIVATE_CONTAINERD_SOCK MODE=private
    command -v containerd >/dev/null || fail containerd "containerd is not installed (run 'make setup')"
    write_containerd_config
    rm -f "$PRIVATE_CONTAINERD_SOCK" "$PRIVATE_CONTAINERD_SOCK.ttrpc"
    say "containerd: starting a private one on $SOCK"
    start_daemon containerd "$PRIVATE_CONTAINERD_DIR/config.toml" containerd --config "$PRIVATE_CONTAINERD_DIR/config.toml"
    local rc=0
    wait_for 60 containerd containerd_answers "$SOCK" || rc=$?
    [ $rc = 0 ] || fail containerd "$([ $rc = 2 ] && echo 'containerd exited' || echo 'no answer within 60s') on $SOCK" "$LOGS/containerd.log"
  fi
  printf 'MODE=%s\nSOCK=%s\n' "$MODE" "$SOCK" >"$STATE/runtime.env"
}

# A containerd that `make up` did not configure knows no nodelet.local mirror: put the images into
# its k8s.io namespace under their nodelet.local names so that no pull is needed. Its sandbox image
# stays its own (see the README); this is best effort.
load_images_into_system_containerd() {
  local img
  for img in pause:3.10 busybox:1.35; do
    ctr --address "$SYSTEM_CONTAINERD_SOCK" -n k8s.io images pull --plain-http "$REGISTRY_ADDR/$img" >>"$LOGS/containerd-images.log" 2>&1 &&
      ctr --address "$SYSTEM_CONTAINERD_SOCK" -n k8s.io images tag --force "$REGISTRY_ADDR/$img" "nodelet.local/$img" >>"$LOGS/containerd-images.log" 2>&1 ||
      say "warning: could not load nodelet.local/$img into the system containerd (see $LOGS/containerd-images.log)"
  done
}
