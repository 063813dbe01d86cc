#!/usr/bin/env bash
# Builds the offline images as OCI image layouts, since nothing can be pulled from public registries:
#   .cache/images/pause    tag 3.10  (nodelet.local/pause:3.10)    a static pause binary as /pause
#   .cache/images/busybox  tag 1.35  (nodelet.local/busybox:1.35)  Debian's busybox-static with all applets
# Each image is rebuilt only when its inputs change (a stamp holds a hash of them).
# Usage: images/build.sh [--force]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/images"
out="$root/.cache/images"
force=${1:-}
# A fixed time keeps image digests stable across rebuilds of the same inputs.
epoch=2024-01-01T00:00:00Z
busybox_bin=$(readlink -f /bin/busybox)

for tool in umoci "$busybox_bin"; do
  command -v "$tool" >/dev/null || { echo "images/build.sh: $tool not found (apt-get install umoci busybox-static)" >&2; exit 1; }
done
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/nodelet-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Parallel test runs may call this at once: one builder at a time, the others then find it done.
exec 9>"$out/.lock"
flock 9

# stamp_of NAME FILE... -> hash of the inputs of one image (this script included).
stamp_of() {
  local name=$1; shift
  local version
  version=$("$busybox_bin" 2>&1 || true) # read whole: a pipe into head would SIGPIPE under pipefail
  # Contents only: the same inputs reached by another path must give the same stamp.
  { echo "$name"; cat "$0" "$@" | sha256sum; echo "${version%%$'\n'*}"; } | sha256sum | cut -d' ' -f1
}

up_to_date() { # NAME STAMP
  [ "$force" != --force ] && [ -f "$out/$1/index.json" ] && [ "$(cat "$out/.stamp-$1" 2>/dev/null)" = "$2" ]
}

# build_image NAME TAG ROOTFS_FN CONFIG_ARGS... : a one-layer image from a rootfs filled by ROOTFS_FN.
build_image() {
  local name=$1 tag=$2 fill=$3; shift 3
  local layout="$out/$name" bundle="$work/$name"
  rm -rf "$layout" "$out/.stamp-$name"
  umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
  "$fill" "$bundle/rootfs"
  find "$bundle/rootfs" -exec touch -h -d "$epoch" {} +
  umoci repack --image "$layout:$tag" --history.created "$epoch" --history.created_by "images/build.sh" "$bundle"
  umoci config --image "$layout:$tag" --created "$epoch" --history.created "$epoch" \
    --os linux --architecture amd64 --config.env PATH=/bin:/usr/bin:/sbin:/usr/sbin "$@"
  umoci gc --layout "$layout"
}

fill_pause() {
  local rootfs=$1 bin
  bin=$(dirname "$rootfs")/pause
  if command -v musl-gcc >/dev/null; then
    musl-gcc -static -Os -Wall -Wextra -o "$bin" "$src/pause/pause.c"
  else
    gcc -static -Os -Wall -Wextra -o "$bin" "$src/pause/pause.c"
  fi
  strip "$bin"
  install -m 0755 "$bin" "$rootfs/pause"
}

fill_busybox() {
  local rootfs=$1 applet
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,var,home}
  install -d -m 1777 "$rootfs/tmp"
  install -m 0755 "$busybox_bin" "$rootfs/bin/busybox"
  for applet in $("$busybox_bin" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  # Scripts often start with #!/usr/bin/env.
  ln -sf ../../bin/busybox "$rootfs/usr/bin/env"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n' >"$rootfs/etc/group"
}

stamp=$(stamp_of pause "$src/pause/pause.c")
if ! up_to_date pause "$stamp"; then
  build_image pause 3.10 fill_pause --config.entrypoint /pause
  echo "$stamp" >"$out/.stamp-pause"
  echo "images: built nodelet.local/pause:3.10 in $out/pause" >&2
fi

stamp=$(stamp_of busybox "$busybox_bin")
if ! up_to_date busybox "$stamp"; then
  build_image busybox 1.35 fill_busybox --config.cmd /bin/sh
  echo "$stamp" >"$out/.stamp-busybox"
  echo "images: built nodelet.local/busybox:1.35 in $out/busybox" >&2
fi
