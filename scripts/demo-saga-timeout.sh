#!/usr/bin/env bash
# Saga demo — a saga that times out while payment is stopped, and payment charging nothing when it is back.
# Needs the system running: `npm start` in another terminal (or a port-forwarded cluster, with
# ACCOUNT_URL, INVENTORY_URL, ORDER_URL, PAYMENT_URL). See docs/guides/sagas.md.
# It writes a short SagaPolicy on the cluster at HAZELCAST_ADDRESSES (default 127.0.0.1:5701) and
# HAZELCAST_CLUSTER_NAME (default dev), and puts the previous one back at the end.
# PAYMENT_CONTROL=local (default, for npm start): pauses the payment process with SIGSTOP, resumes it with SIGCONT.
# PAYMENT_CONTROL=kubectl: kubectl scale deploy/payment-service --replicas=0, then back (PAYMENT_DEPLOYMENT,
# KUBE_NAMESPACE). DEMO_SAGA_TIMEOUT (default 5s) and DEMO_CHECK_INTERVAL (default 1s) set the demo's policy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec scripts/demos/run-demo.sh saga-timeout "$@"
