#!/usr/bin/env bash
# Saga demo — the happy path: order CONFIRMED, saga COMPLETED, stock reserved, payment CAPTURED.
# Needs the system running: `npm start` in another terminal (or a port-forwarded cluster, with
# ACCOUNT_URL, INVENTORY_URL, ORDER_URL, PAYMENT_URL). See docs/guides/sagas.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec scripts/demos/run-demo.sh saga-happy-path "$@"
