#!/usr/bin/env bash
# npm run kind:port-forward: forwards the services, Grafana, Jaeger and Prometheus to localhost, in the
# background. Their pids go to .run/port-forward.pids, their output to .run/port-forward-<service>.log.
#   scripts/kind/port-forward.sh           start (stops earlier ones first)
#   scripts/kind/port-forward.sh --stop    stop them (npm run kind:port-forward -- --stop)
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PIDS=.run/port-forward.pids

# service local-port:service-port  — what is forwarded
FORWARDS=(
  "account-service 8081:8081"
  "inventory-service 8082:8082"
  "order-service 8083:8083"
  "payment-service 8084:8084"
  "grafana 3000:3000"
  "jaeger 16686:16686"
  "prometheus 9090:9090"
)

stop() {
  [[ -f $PIDS ]] || return 0
  local pid
  while read -r pid _; do
    # Only our own kubectl port-forward processes, by the pid we recorded.
    if [[ -n $pid ]] && ps -p "$pid" -o args= 2>/dev/null | grep -q 'kubectl port-forward'; then
      kill "$pid" 2>/dev/null || true
    fi
  done <"$PIDS"
  rm -f "$PIDS"
  say "port-forwards stopped"
}

if [[ ${1:-} == --stop ]]; then
  stop
  exit 0
fi
require_tools kubectl
use_cluster_context
stop
mkdir -p .run

for forward in "${FORWARDS[@]}"; do
  read -r service ports <<<"$forward"
  nohup kubectl port-forward "svc/$service" "$ports" >".run/port-forward-$service.log" 2>&1 &
  echo "$! $service $ports" >>"$PIDS"
done
sleep 2

failed=0
printf '\n  %-18s %s\n' "service" "local address"
while read -r pid service ports; do
  if kill -0 "$pid" 2>/dev/null; then
    printf '  %-18s http://localhost:%s\n' "$service" "${ports%%:*}"
  else
    printf '  %-18s FAILED, see .run/port-forward-%s.log\n' "$service" "$service"
    failed=1
  fi
done <"$PIDS"
printf '\n'
say "running in the background (pids in $PIDS); stop them with: npm run kind:port-forward -- --stop"
exit "$failed"
