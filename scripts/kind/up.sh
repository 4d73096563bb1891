#!/usr/bin/env bash
# npm run kind:up: the whole system on a local kind cluster, from nothing:
#   cluster (if missing) → images → load → synth → database Secret (if missing) → CRDs → everything else →
#   rollouts → example SagaPolicy.
# Each step is an ordinary command, printed before it runs; docs/guides/kubernetes.md lists them.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_tools docker kind kubectl openssl
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-5m}

run() {
  say "\$ $*"
  "$@"
}

if cluster_exists; then
  say "kind cluster '$CLUSTER' exists; reusing it"
else
  [[ $CLUSTER == hms ]] || die "kind-config.yaml creates 'hms'; create '$CLUSTER' yourself or unset KIND_CLUSTER_NAME"
  run kind create cluster --config kind-config.yaml
fi
use_cluster_context

run bash scripts/kind/images.sh
run bash scripts/kind/load.sh
run npm run synth

# The database password, generated in the cluster once and never in dist/ (charts/constructs/postgres.ts).
# The name is credentialsSecret in charts/settings.ts. Not printed: `run` would echo it.
if kubectl get secret postgres-credentials >/dev/null 2>&1; then
  say "secret/postgres-credentials exists; keeping it (PostgreSQL was initialised with that password)"
else
  say "\$ kubectl create secret generic postgres-credentials --from-literal=password=\"\$(openssl rand -hex 24)\""
  kubectl create secret generic postgres-credentials --from-literal=password="$(openssl rand -hex 24)"
fi

# The CRD first, and established, so the SagaPolicy applied at the end has its type.
run kubectl apply -f dist/0-crds.k8s.yaml
run kubectl wait --for=condition=Established crd/sagapolicies.saga.hms.dev --timeout=60s
for file in dist/*.k8s.yaml; do
  [[ $file == dist/0-crds.k8s.yaml ]] || run kubectl apply -f "$file"
done

run kubectl rollout status statefulset/hazelcast --timeout="$ROLLOUT_TIMEOUT"
if [[ -f dist/1-postgres.k8s.yaml ]]; then
  run kubectl rollout status statefulset/postgres --timeout="$ROLLOUT_TIMEOUT"
fi
for name in "${SERVICES[@]}"; do
  run kubectl rollout status "deployment/$name-service" --timeout="$ROLLOUT_TIMEOUT"
done
for name in prometheus grafana jaeger; do
  run kubectl rollout status "deployment/$name" --timeout="$ROLLOUT_TIMEOUT"
done
if operator_buildable; then
  run kubectl rollout status deployment/saga-operator --timeout="$ROLLOUT_TIMEOUT"
else
  say "not waiting for deployment/saga-operator: its image does not exist until operator/main.ts does"
fi

run kubectl apply -f examples/sagapolicy.yaml
run kubectl get sagapolicies

say "up. Reach it from this machine with:  npm run kind:port-forward"
say "services 8081-8084, Grafana :3000, Jaeger :16686, Prometheus :9090 (see docs/guides/kubernetes.md)"
