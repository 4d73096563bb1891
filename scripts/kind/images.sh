#!/usr/bin/env bash
# npm run images: builds hms/<name>:dev for the four services and the operator from the one Dockerfile.
#   scripts/kind/images.sh [name...]      default: all of them
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_tools docker

names=("$@")
if ((${#names[@]} == 0)); then
  names=("${SERVICES[@]}")
  if operator_buildable; then
    names+=(operator)
  else
    say "skipping the operator image: operator/main.ts does not exist yet"
  fi
fi

for name in "${names[@]}"; do
  say "docker build --build-arg SERVICE=$name -t $(image "$name") ."
  docker build --build-arg "SERVICE=$name" -t "$(image "$name")" .
done
say "built: $(for name in "${names[@]}"; do printf '%s ' "$(image "$name")"; done)"
