#!/usr/bin/env bash
# `make install`: installs the built nodelet as a system service set.
#   /opt/nodelet/          dist/src, the .proto files it loads, package.json, production node_modules,
#                          bin/node (the Node.js 24 the Makefile provisioned)
#   /usr/local/bin/nodelet a wrapper: that node + /opt/nodelet/dist/src/cli.js
#   /etc/systemd/system/   nodelet-apiserver, nodelet-agent, nodelet-proxy units (not enabled)
#   /etc/nodelet/          agent.yaml and proxy.yaml when missing; kubeconfig -> admin.kubeconfig
#                          when missing (one-machine cluster; replace it to join another apiserver)
# Then `systemctl daemon-reload` when systemd runs. Nothing is enabled or started.
#
#   systemd/install.sh [--dry-run]      --dry-run prints each step instead of doing it
#   DESTDIR=/tmp/stage systemd/install.sh  installs below DESTDIR (for packaging; no daemon-reload)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=/opt/nodelet
WRAPPER=/usr/local/bin/nodelet
UNIT_DIR=/etc/systemd/system
ETC=/etc/nodelet
UNITS=(nodelet-apiserver.service nodelet-agent.service nodelet-proxy.service)

dry=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry=1 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "install: $*" >&2; }
# run CMD...: does it, or under --dry-run shows it.
run() {
  if [ "$dry" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}
# write FILE MODE: stdin to FILE (or, under --dry-run, shows what FILE would hold).
write() {
  if [ "$dry" = 1 ]; then
    echo "+ write $1 (mode $2):"
    sed 's/^/|   /'
  else
    cat >"$1.tmp" && chmod "$2" "$1.tmp" && mv -f "$1.tmp" "$1"
  fi
}

[ "$dry" = 1 ] || [ "$(id -u)" = 0 ] || [ -n "$DESTDIR" ] || { say "run as root (or with --dry-run)"; exit 1; }
[ -f "$ROOT/dist/src/cli.js" ] || { say "no build in $ROOT/dist: run 'make build'"; exit 1; }
node_bin=$(readlink -f "$ROOT/.tools/bin/node" 2>/dev/null || true)
[ -x "$node_bin" ] && [[ "$("$node_bin" --version)" =~ ^v(2[4-9]|[3-9][0-9])\. ]] ||
  { say "no Node.js >= 24 in $ROOT/.tools/bin: run 'make node'"; exit 1; }

dest=$DESTDIR$PREFIX
stage=$dest.new

# 1. The program, staged next to the old one and swapped in, so a failed copy changes nothing.
say "installing nodelet $(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$ROOT/package.json") into $dest"
run rm -rf "$stage"
run mkdir -p "$stage/dist" "$stage/bin"
run cp -a "$ROOT/dist/src" "$stage/dist/src"
# The .proto files are loaded at run time from src/ (dist/src/cri/proto/load.ts looks there).
while read -r proto; do
  run mkdir -p "$stage/$(dirname "$proto")"
  run cp "$ROOT/$proto" "$stage/$proto"
done < <(cd "$ROOT" && find src -name '*.proto' | sort)
run cp "$ROOT/package.json" "$ROOT/package-lock.json" "$ROOT/README.md" "$stage/"
run cp -a "$ROOT/node_modules" "$stage/node_modules"
# Development packages (typescript, eslint, ...) are not needed to run; prune works offline.
run env PATH="$(dirname "$node_bin"):$PATH" "$ROOT/.tools/bin/npm" --prefix "$stage" prune --omit=dev --offline --no-audit --no-fund --loglevel=error
run cp "$node_bin" "$stage/bin/node"
if [ -e "$dest" ]; then run rm -rf "$dest.old"; run mv "$dest" "$dest.old"; fi
run mv "$stage" "$dest"
run rm -rf "$dest.old"

# 2. The command.
run mkdir -p "$DESTDIR$(dirname "$WRAPPER")"
write "$DESTDIR$WRAPPER" 0755 <<EOF
#!/bin/sh
# nodelet, installed by systemd/install.sh: its own Node.js 24 and build in $PREFIX.
exec $PREFIX/bin/node $PREFIX/dist/src/cli.js "\$@"
EOF

# 3. The units.
run mkdir -p "$DESTDIR$UNIT_DIR"
for unit in "${UNITS[@]}"; do
  run install -m 0644 "$ROOT/systemd/$unit" "$DESTDIR$UNIT_DIR/$unit"
done

# 4. Configuration, only what is missing (a changed file is the operator's).
run mkdir -p "$DESTDIR$ETC/manifests"
if [ ! -e "$DESTDIR$ETC/agent.yaml" ]; then
  write "$DESTDIR$ETC/agent.yaml" 0644 <<'EOF'
# nodelet agent configuration (a kubelet KubeletConfiguration file); flags override it.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: /etc/nodelet/manifests
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
podLogsDir: /var/log/pods
EOF
fi
if [ ! -e "$DESTDIR$ETC/proxy.yaml" ]; then
  write "$DESTDIR$ETC/proxy.yaml" 0644 <<'EOF'
# nodelet proxy configuration (a kube-proxy KubeProxyConfiguration file).
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
EOF
fi
if [ ! -e "$DESTDIR$ETC/kubeconfig" ] && [ ! -L "$DESTDIR$ETC/kubeconfig" ]; then
  # One machine: the agent and proxy use the admin kubeconfig nodelet-apiserver writes.
  run ln -s admin.kubeconfig "$DESTDIR$ETC/kubeconfig"
fi

# 5. systemd.
if [ -n "$DESTDIR" ]; then
  say "installed below $DESTDIR (no daemon-reload)"
elif [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
  say "done; start with: systemctl enable --now containerd nodelet-apiserver nodelet-agent"
else
  say "done; systemd is not running here, so the units are installed but not loaded (make up runs the daemons without systemd)"
fi
