#!/usr/bin/env bash
# What `make up` started and how to use it (run at the end of scripts/up.sh, and on its own).
set -uo pipefail
# shellcheck source=scripts/up-lib.sh
source "$(dirname "$0")/up-lib.sh"

echo "nodelet-up: daemons (state and logs in $STATE):"
for name in registry containerd apiserver agent proxy; do
  if pid=$(pid_of "$name"); then
    printf '  %-10s running, pid %s, log %s\n' "$name" "$pid" "$LOGS/$name.log"
  elif [ "$name" = containerd ] && [ "$(runtime_mode)" = system ]; then
    printf '  %-10s the machine'\''s, on %s\n' "$name" "$(runtime_sock)"
  else
    printf '  %-10s not running\n' "$name"
  fi
done

if [ -f "$KUBECONFIG_FILE" ] && running apiserver; then
  echo
  kubectl_up get nodes -o wide 2>&1 | sed 's/^/  /'
  echo
  kubectl_up get pods -A -o wide 2>&1 | sed 's/^/  /'
  echo
  kubectl_up get service demo 2>&1 | sed 's/^/  /'
  ip=$(kubectl_up get service demo -o 'jsonpath={.spec.clusterIP}' 2>/dev/null || true)
  if [ -n "$ip" ]; then
    # The proxy's rules send the Service IP to the pod.
    echo
    echo "  busybox wget -q -O - http://$ip/"
    out=''
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      if out=$(timeout 5 busybox wget -q -O - "http://$ip/" 2>&1); then break; fi
      sleep 1
    done
    echo "$out" | sed 's/^/    /'
  fi
fi

cat <<EOF

Use it:
  export KUBECONFIG=$KUBECONFIG_FILE
  kubectl get pods -A
Stop it:
  make down          (scripts/down.sh --purge also deletes $STATE)
EOF
