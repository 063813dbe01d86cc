#!/usr/bin/env bash
# Run after the tests: fails (and says what) when a test left something on the machine.
# Everything a test creates is marked: its directory is nodelet-test-XXXXXX (daemons mention it on
# their command lines, pods' cgroups are named after it) and its network namespace is nlt-*.
set -uo pipefail

tmp=${TMPDIR:-/tmp}
found=0
report() {
  echo "check-leftovers: $*" >&2
  found=1
}

# Processes (our own shell, and the children it spawns for this check, are not of interest).
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$pid" = $$ ] && continue
  cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
  case "$cmd" in
    *nodelet-test-*) report "process $pid still runs: $cmd" ;;
  esac
done

for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  case "$ns" in
    nlt-*) report "network namespace $ns still exists" ;;
  esac
done

while read -r mountpoint; do
  report "still mounted: $mountpoint"
done < <(awk '$5 ~ /nodelet-test-/ {print $5}' /proc/self/mountinfo)

dirs=("$tmp"/nodelet-test-*)
[ "$tmp" = /tmp ] || dirs+=(/tmp/nodelet-test-*)
for d in "${dirs[@]}"; do
  [ -e "$d" ] && report "directory $d remains"
done

for h in /sys/fs/cgroup/*; do
  [ -d "$h" ] || continue
  while read -r cg; do
    report "cgroup $cg remains"
  done < <(find "$h" -maxdepth 4 -type d -name 'nodelet-test-*' 2>/dev/null)
done

for f in /var/lib/cni/results/nlt-* /var/lib/cni/networks/nlt-*; do
  [ -e "$f" ] && report "CNI state $f remains"
done

if [ "$found" -ne 0 ]; then
  echo "check-leftovers: tests left the above behind" >&2
  exit 1
fi
echo "check-leftovers: nothing left behind"
