# shellcheck shell=bash
# Shared by scripts/kind/*.sh (sourced, not run). Everything here is plain docker/kind/kubectl, so each step
# can also be typed by hand (docs/guides/kubernetes.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# The cluster kind-config.yaml creates; KIND_CLUSTER_NAME overrides it (then create it yourself).
CLUSTER=${KIND_CLUSTER_NAME:-hms}
# Must match imageRegistry/imageTag in charts/settings.ts.
IMAGE_REGISTRY=${IMAGE_REGISTRY:-hms}
IMAGE_TAG=${IMAGE_TAG:-dev}
# shellcheck disable=SC2034 # used by the scripts that source this file
SERVICES=(account inventory order payment)

say() { printf '[kind] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# require_tools docker kind kubectl: names every missing tool at once, with where to get it.
require_tools() {
  local missing=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    for tool in "${missing[@]}"; do
      case $tool in
        docker) say "missing: docker (https://docs.docker.com/get-docker/); the images are built with it" ;;
        kind) say "missing: kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), v0.24 or later" ;;
        kubectl) say "missing: kubectl (https://kubernetes.io/docs/tasks/tools/)" ;;
        *) say "missing: $tool" ;;
      esac
    done
    die "install the missing tool(s) above and run this again"
  fi
  if [[ " $* " == *" docker "* ]] && ! docker info >/dev/null 2>&1; then
    die "docker is installed but its daemon does not answer (is Docker running? can this user use it?)"
  fi
}

image() { printf '%s/%s:%s' "$IMAGE_REGISTRY" "$1" "$IMAGE_TAG"; }

# The operator is its own image; until operator/main.ts exists there is nothing to build.
operator_buildable() { [[ -f operator/main.ts ]]; }

cluster_exists() { kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; }

use_cluster_context() {
  kubectl config use-context "kind-$CLUSTER" >/dev/null 2>&1 ||
    die "no kubectl context kind-$CLUSTER (is the cluster up? npm run kind:up)"
}
