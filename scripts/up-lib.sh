# Shared by scripts/up.sh and scripts/down.sh (sourced, not run): where `make up` keeps its state,
# and how its daemons are started, found and stopped. Daemons run under setsid/nohup (systemd is
# not PID 1 on every machine) and are known only by the PID files in $RUN; a PID counts only while
# its /proc/PID/cmdline still mentions what was started (so a reused PID is never signalled).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# NODELET_UP_DIR moves everything (state, logs, sockets); keep it short: unix socket paths < 108 bytes.
STATE=${NODELET_UP_DIR:-/var/lib/nodelet-up}
RUN=$STATE/run
LOGS=$STATE/logs
KUBECONFIG_FILE=$STATE/admin.kubeconfig
SYSTEM_CONTAINERD_SOCK=/run/containerd/containerd.sock
PRIVATE_CONTAINERD_DIR=$STATE/containerd
PRIVATE_CONTAINERD_SOCK=$PRIVATE_CONTAINERD_DIR/containerd.sock
REGISTRY_ADDR=127.0.0.1:5000
CNI_NETWORK=nodelet-up
CNI_BRIDGE=nodelet0
POD_SUBNET=${NODELET_UP_POD_SUBNET:-10.88.0.0/16}
APISERVER_PORT=${NODELET_UP_APISERVER_PORT:-6443}

export PATH="$ROOT/.tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
NODE=$ROOT/.tools/bin/node
[ -x "$NODE" ] || NODE=$(command -v node || echo node)
CLI=$ROOT/dist/src/cli.js

say() { echo "nodelet-up: $*" >&2; }

# The last 20 lines of a log, indented, for error messages.
log_tail() {
  local file=$1
  if [ -s "$file" ]; then
    echo "--- last 20 lines of $file:" >&2
    tail -n 20 "$file" | sed 's/^/    /' >&2
    echo "---" >&2
  else
    echo "($file is empty or missing)" >&2
  fi
}

# fail STEP MESSAGE [LOGFILE]: says which step failed and why, shows the log, exits 1.
fail() {
  local step=$1 msg=$2 log=${3:-}
  echo "nodelet-up: step '$step' failed: $msg" >&2
  [ -n "$log" ] && log_tail "$log"
  echo "nodelet-up: state and logs are in $STATE; 'make down' stops what was started" >&2
  exit 1
}

# pid_of NAME: prints the PID recorded for NAME when that process still runs what was started.
pid_of() {
  local name=$1 pidfile=$RUN/$1.pid pid marker
  [ -f "$pidfile" ] || return 1
  read -r pid marker <"$pidfile" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  # A zombie counts as gone.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  # Read first: `tr | grep -q` would fail under pipefail when grep quits early (SIGPIPE).
  local cmd
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  if [ -n "$marker" ] && [[ "$cmd" != *"$marker"* ]]; then return 1; fi
  echo "$pid"
}

running() { pid_of "$1" >/dev/null; }

# start_daemon NAME MARKER CMD...: runs CMD detached (own session, stdin closed), output appended to
# $LOGS/NAME.log, and records "PID MARKER" in $RUN/NAME.pid. MARKER is a string of CMD's command line.
start_daemon() {
  local name=$1 marker=$2
  shift 2
  mkdir -p "$RUN" "$LOGS"
  echo "=== $(date -Is) starting: $*" >>"$LOGS/$name.log"
  # Not a process group leader in a non-interactive shell, so setsid execs: $! is the daemon's PID.
  setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo "$! $marker" >"$RUN/$name.pid"
}

# stop_daemon NAME [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL; removes the PID file.
stop_daemon() {
  local name=$1 grace=${2:-15} pid i
  if pid=$(pid_of "$name"); then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      running "$name" || break
      sleep 0.1
    done
    if running "$name"; then
      say "$name did not exit within ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        running "$name" || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$RUN/$name.pid"
}

# wait_for SECONDS NAME CMD...: polls CMD every half second; fails early when daemon NAME exits.
wait_for() {
  local seconds=$1 name=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$name" ] && ! running "$name"; then return 2; fi
    sleep 0.5
  done
  return 1
}

kubectl_up() { kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=10s "$@"; }

# The containerd socket `make up` uses, as recorded when it started (empty when none).
runtime_sock() { [ -f "$STATE/runtime.env" ] && sed -n 's/^SOCK=//p' "$STATE/runtime.env"; }
runtime_mode() { [ -f "$STATE/runtime.env" ] && sed -n 's/^MODE=//p' "$STATE/runtime.env"; }
