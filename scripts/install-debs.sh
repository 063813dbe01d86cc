#!/usr/bin/env bash
# Installs the Debian packages nodelet and its tests need, only those missing; `apt-get update`
# runs only when something is missing. Services the packages ship (containerd, docker) are not
# started by this step: nodelet and its tests start their own daemons.
set -euo pipefail
PACKAGES=(
  containerd runc docker.io containernetworking-plugins iptables nftables conntrack
  etcd-server docker-registry busybox-static umoci skopeo musl-tools
  iproute2 util-linux procps ca-certificates
)
missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-debs: missing Debian packages: ${missing[*]}; run as root (or install them)" >&2
  exit 1
fi
echo "install-debs: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep apt from starting the packaged daemons now (policy-rc.d exit 101 = "not allowed").
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
