#!/usr/bin/env bash
# npm run kind:load: copies the locally built images into the kind cluster's nodes (no registry needed;
# the manifests use imagePullPolicy IfNotPresent).
#   scripts/kind/load.sh [name...]        default: every image images.sh builds
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_tools docker kind
cluster_exists || die "no kind cluster '$CLUSTER': create it with  kind create cluster --config kind-config.yaml"

names=("$@")
if ((${#names[@]} == 0)); then
  names=("${SERVICES[@]}")
  operator_buildable && names+=(operator)
fi
for name in "${names[@]}"; do
  docker image inspect "$(image "$name")" >/dev/null 2>&1 || die "image $(image "$name") not built: npm run images"
  say "kind load docker-image $(image "$name") --name $CLUSTER"
  kind load docker-image "$(image "$name")" --name "$CLUSTER"
done
