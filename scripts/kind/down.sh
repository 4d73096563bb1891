#!/usr/bin/env bash
# npm run kind:down: stops the port-forwards this repository started and deletes the kind cluster.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_tools kind
bash scripts/kind/port-forward.sh --stop || true
if cluster_exists; then
  say "\$ kind delete cluster --name $CLUSTER"
  kind delete cluster --name "$CLUSTER"
else
  say "no kind cluster '$CLUSTER'; nothing to delete"
fi
