#!/usr/bin/env bash
# `make up`: a one-node cluster on this machine, as root. Starts (each only when not already
# running, so a second run just reports): the loopback registry with the offline images, containerd
# (the machine's when one answers on /run/containerd/containerd.sock, else a private one), `nodelet
# apiserver`, `nodelet agent`; then applies a demo Pod and Service. State and logs: $STATE
# (/var/lib/nodelet-up, or $NODELET_UP_DIR). `make down` (scripts/down.sh) stops it all.
#
# The pod network is a CNI bridge in the namespace this runs in, i.e. this machine's: that is the
# point (a real node). Tests never run this; try it in a throwaway namespace with
#   ip netns add x; nsenter --net=/var/run/netns/x -- sh -c 'ip link set lo up; make up'
set -euo pipefail
# shellcheck source=scripts/up-lib.sh
source "$(dirname "$0")/up-lib.sh"
# shellcheck source=scripts/up-containerd.sh
source "$(dirname "$0")/up-containerd.sh"

[ "$(id -u)" = 0 ] || fail preflight "run as root (containerd, CNI and the agent need it)"
[ -f "$CLI" ] || fail preflight "$CLI is missing: run 'make build' (make up does it via setup)"
command -v kubectl >/dev/null || fail preflight "no kubectl on PATH: run 'make kubectl'"
[[ "$("$NODE" --version 2>/dev/null)" =~ ^v(2[4-9]|[3-9][0-9])\. ]] || fail preflight "$NODE is not Node.js >= 24: run 'make node'"
mkdir -p "$STATE" "$RUN" "$LOGS"
chmod 0700 "$STATE"

# Already up? Then only say so.
if running registry && running apiserver && running agent && running proxy && { [ "$(runtime_mode)" = system ] || running containerd; }; then
  say "already up (state in $STATE)"
  exec "$(dirname "$0")/up-status.sh"
fi

# --- (b) the loopback registry, with the offline images --------------------------------------------
registry_answers() { busybox wget -q -O /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }
if running registry; then
  say "registry: already running (pid $(pid_of registry))"
else
  registry_answers && fail registry "something else already answers on $REGISTRY_ADDR; stop it or free the port"
  mkdir -p "$STATE/registry/data"
  cat >"$STATE/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  secret: nodelet-up
EOF
  say "registry: starting docker-registry on $REGISTRY_ADDR"
  start_daemon registry "$STATE/registry/config.yml" docker-registry serve "$STATE/registry/config.yml"
  rc=0
  wait_for 30 registry registry_answers || rc=$?
  [ $rc = 0 ] || fail registry "docker-registry $([ $rc = 2 ] && echo exited || echo 'did not answer within 30s')" "$LOGS/registry.log"
fi
for img in pause:3.10 busybox:1.35; do
  layout=$ROOT/.cache/images/${img%%:*}
  [ -f "$layout/index.json" ] || fail registry "no image layout in $layout: run 'make images'"
  skopeo copy --quiet --dest-tls-verify=false "oci:$layout:${img#*:}" "docker://$REGISTRY_ADDR/$img" >>"$LOGS/registry-push.log" 2>&1 ||
    fail registry "pushing $img to $REGISTRY_ADDR failed" "$LOGS/registry-push.log"
done
say "registry: holds nodelet.local/pause:3.10 and nodelet.local/busybox:1.35"

# --- (a) containerd ----------------------------------------------------------------------------------
ensure_containerd

# --- (c) the apiserver -------------------------------------------------------------------------------
apiserver_ready() { [ -f "$KUBECONFIG_FILE" ] && [ "$(kubectl_up get --raw /readyz 2>/dev/null)" = ok ]; }
if running apiserver; then
  say "apiserver: already running (pid $(pid_of apiserver))"
else
  say "apiserver: starting on port $APISERVER_PORT"
  rm -f "$KUBECONFIG_FILE" # written anew once the apiserver serves: its presence means ready
  start_daemon apiserver "$STATE/apiserver" "$NODE" "$CLI" apiserver \
    --data-dir "$STATE/apiserver" --secure-port "$APISERVER_PORT" \
    --write-kubeconfig "$KUBECONFIG_FILE" --log-format text
fi
rc=0
wait_for 60 apiserver apiserver_ready || rc=$?
[ $rc = 0 ] || fail apiserver "nodelet apiserver $([ $rc = 2 ] && echo exited || echo 'not ready (/readyz) within 60s')" "$LOGS/apiserver.log"
say "apiserver: ready at $(sed -n 's/^ *server: //p' "$KUBECONFIG_FILE" | head -1)"

# --- (d) the agent -----------------------------------------------------------------------------------
if [ -f "$STATE/node-name" ]; then
  NODE_NAME=$(cat "$STATE/node-name")
else
  NODE_NAME=$(hostname | tr '[:upper:]' '[:lower:]')
  echo "$NODE_NAME" >"$STATE/node-name"
fi
# Without an agent subcommand, commander prints the top-level help (exit 0): look for an agent flag.
agent_help=$("$NODE" "$CLI" agent --help 2>&1 || true)
[[ "$agent_help" == *--container-runtime-endpoint* ]] ||
  fail agent "this build has no 'nodelet agent' yet ($NODE $CLI agent --help fails); the registry, containerd and apiserver are up"
if running agent; then
  say "agent: already running (pid $(pid_of agent))"
else
  mkdir -p "$STATE/agent" "$STATE/manifests" "$STATE/pod-logs"
  # The agent takes the first non-loopback IPv4 as the node's; a namespace with only lo has none.
  node_ip_flag=()
  [ -n "$(ip -4 -o addr show scope global 2>/dev/null)" ] || node_ip_flag=(--node-ip 127.0.0.1)
  say "agent: starting as node $NODE_NAME on $SOCK"
  start_daemon agent "$STATE/agent" "$NODE" "$CLI" agent \
    --kubeconfig "$KUBECONFIG_FILE" --root-dir "$STATE/agent" --pod-manifest-path "$STATE/manifests" \
    --pod-logs-dir "$STATE/pod-logs" --container-runtime-endpoint "unix://$SOCK" \
    --hostname-override "$NODE_NAME" "${node_ip_flag[@]}" --log-format text
fi
node_ready() {
  [ "$(kubectl_up get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
rc=0
wait_for 90 agent node_ready || rc=$?
[ $rc = 0 ] || fail agent "node $NODE_NAME $([ $rc = 2 ] && echo 'is not Ready: the agent exited' || echo 'did not become Ready within 90s'); see $LOGS/agent.log" "$LOGS/agent.log"
say "agent: node $NODE_NAME is Ready"

# --- (e) the proxy: Service IPs in this machine's iptables (that is what a node is for) ---------------
if running proxy; then
  say "proxy: already running (pid $(pid_of proxy))"
else
  say "proxy: starting (iptables mode)"
  start_daemon proxy "$STATE" "$NODE" "$CLI" proxy \
    --kubeconfig "$KUBECONFIG_FILE" --hostname-override "$NODE_NAME" --proxy-mode iptables \
    --cluster-cidr "$POD_SUBNET" --log-format text
fi

# --- (f) the demo ------------------------------------------------------------------------------------
# The scheduler in the apiserver binds the pod to this node.
cat >"$STATE/demo.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: demo
  namespace: default
  labels: { app: demo }
spec:
  containers:
    - name: httpd
      image: nodelet.local/busybox:1.35
      imagePullPolicy: IfNotPresent
      command: [sh, -c, 'mkdir -p /www && echo "hello from nodelet" > /www/index.html && exec httpd -f -p 8080 -h /www']
      ports: [{ containerPort: 8080, name: http }]
---
apiVersion: v1
kind: Service
metadata:
  name: demo
  namespace: default
spec:
  selector: { app: demo }
  ports: [{ port: 80, targetPort: http }]
EOF
kubectl_up apply -f "$STATE/demo.yaml" >>"$LOGS/demo.log" 2>&1 || fail demo "kubectl apply -f $STATE/demo.yaml failed" "$LOGS/demo.log"
pod_running() { [ "$(kubectl_up get pod demo -o 'jsonpath={.status.phase}' 2>/dev/null)" = Running ]; }
rc=0
wait_for 90 agent pod_running || rc=$?
if [ $rc != 0 ]; then
  kubectl_up describe pod demo >>"$LOGS/demo.log" 2>&1 || true
  fail demo "pod demo is not Running after 90s ($(kubectl_up get pod demo -o 'jsonpath={.status.phase}' 2>&1)); 'kubectl describe pod demo' is in $LOGS/demo.log; the agent's log:" "$LOGS/agent.log"
fi

# --- (g) how to use it -------------------------------------------------------------------------------
exec "$(dirname "$0")/up-status.sh"
