#!/usr/bin/env bash
# Makes sure the binaries of the test control plane (etcd, kube-apiserver, kubectl) are in a cache directory
# outside the repository, building or installing only what is missing. Idempotent; safe to run concurrently
# (one run builds, the others wait on a lock and then find everything in place).
#
#   bash scripts/k8s-tools/ensure-k8s-tools.sh              install/build what is missing, print a summary
#   bash scripts/k8s-tools/ensure-k8s-tools.sh --check      build nothing; exit 1 and list what is missing
#   ... --print-env                                          also print KEY=value lines on stdout (progress
#                                                            always goes to stderr)
#
# Versions are pinned in versions.env next to this script. Where things live:
#   K8S_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hazelcast-microservices-ts/k8s-tools)
#     bin/                 etcd (symlink to Debian's /usr/bin/etcd, or built with Go), kube-apiserver, kubectl
#     src/kubernetes-vX/   the generated Go module the Kubernetes binaries are built from
#     src/etcd-vX/         the same for etcd, when it is built with Go
#     logs/                output of go mod tidy / go build / apt-get of the last run of each step
#   Go's module cache (go env GOMODCACHE) and build cache (go env GOCACHE) are Go's own, also outside the repo.
#
# Environment:
#   K8S_TOOLS_ETCD=auto|debian|go   where etcd comes from. auto (default): Debian's etcd-server when apt has
#                                   one new enough for kube-apiserver (3.4.31+ or 3.5.13+; trixie's 3.5.x is,
#                                   bookworm's 3.4.23 is not), else a Go build of go.etcd.io/etcd/server/v3
#                                   at ETCD_GO_VERSION
#   GOFLAGS                         passed through to go (e.g. GOFLAGS=-p=1 to build on one core)
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.env
source "$here/versions.env"
: "${KUBERNETES_VERSION:?not set in versions.env}" "${ETCD_GO_VERSION:?not set in versions.env}"

cache=${K8S_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hazelcast-microservices-ts/k8s-tools}
bin=$cache/bin
logs=$cache/logs
etcd_source=${K8S_TOOLS_ETCD:-auto}
# kube-apiserver only enables RequestWatchProgress (needed for consistent reads from its watch cache and for
# streaming lists, sendInitialEvents=true) on etcd 3.4.31+ or 3.5.13+ (k8s.io/apiserver
# pkg/storage/feature/feature_support_checker.go). An older etcd works but behaves unlike a real 1.3x cluster.
etcd_requirement='3.4.31+ or 3.5.13+'

tool_tag=k8s-tools
tool_script=ensure-k8s-tools.sh
# shellcheck source-path=SCRIPTDIR source=../lib/ensure-tool.sh
source "$here/../lib/ensure-tool.sh"
parse_tool_args "$@"

version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

# etcd_supported <version>: 3.4.31+ or 3.5.13+ (see etcd_requirement). Accepts Debian versions (1:3.5.16-4).
etcd_supported() {
  local version=${1#*:}
  version=${version%%[-+~]*}
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  if [[ $version == 3.4.* ]]; then version_ge "$version" 3.4.31; else version_ge "$version" 3.5.13; fi
}

# ---------------------------------------------------------------------------------------------- checks

kube_apiserver_ok() {
  [[ -x $bin/kube-apiserver ]] &&
    [[ "$("$bin/kube-apiserver" --version 2>/dev/null)" == "Kubernetes $KUBERNETES_VERSION" ]]
}

kubectl_ok() {
  [[ -x $bin/kubectl ]] || return 1
  local out
  out=$("$bin/kubectl" version --client 2>/dev/null) || return 1
  [[ $'\n'$out$'\n' == *$'\n'"Client Version: $KUBERNETES_VERSION"$'\n'* ]]
}

etcd_version_of() { "$1" --version 2>/dev/null | sed -n 's/^etcd Version: *//p' | head -n1; }

etcd_ok() {
  [[ -x $bin/etcd ]] || return 1
  local version
  version=$(etcd_version_of "$bin/etcd")
  [[ -n $version ]] && etcd_supported "$version"
}

print_env_lines() {
  printf 'K8S_TOOLS_CACHE=%s\nK8S_TOOLS_BIN=%s\nKUBERNETES_VERSION=%s\nETCD=%s\nKUBE_APISERVER=%s\nKUBECTL=%s\nETCD_VERSION=%s\n' \
    "$cache" "$bin" "$KUBERNETES_VERSION" "$bin/etcd" "$bin/kube-apiserver" "$bin/kubectl" \
    "$(etcd_version_of "$bin/etcd")"
}

summary() {
  say "OK: etcd $(etcd_version_of "$bin/etcd") ($(readlink -f "$bin/etcd")), kube-apiserver and kubectl" \
    "$KUBERNETES_VERSION in $bin"
}

find_missing() {
  missing=()
  etcd_ok || missing+=("etcd $etcd_requirement")
  kube_apiserver_ok || missing+=("kube-apiserver $KUBERNETES_VERSION")
  kubectl_ok || missing+=("kubectl $KUBERNETES_VERSION")
}
find_missing

if [[ $mode == check ]]; then
  if ((${#missing[@]})); then
    say "missing in $bin: ${missing[*]}"
    die "the test control plane's tools are not installed. Run: bash $here/ensure-k8s-tools.sh" \
      "(the first run builds etcd, kube-apiserver and kubectl with Go: 5-10 min on 2 cores)"
  fi
  summary
  if $print_env; then print_env_lines; fi
  exit 0
fi

if ! ((${#missing[@]})); then
  summary
  if $print_env; then print_env_lines; fi
  exit 0
fi

# ------------------------------------------------------------------------------------- build / install

mkdir -p "$cache" "$bin" "$logs"
take_lock
find_missing # again: a run we waited for may have installed everything
if ! ((${#missing[@]})); then
  say "the other run installed everything"
  summary
  if $print_env; then print_env_lines; fi
  exit 0
fi
total_started=$SECONDS
say "cache: $cache; missing: ${missing[*]}"

# Writes <dir>/go.mod for a module that only exists to build the given tool packages. The go and godebug
# lines come from the go.mod of the module the tools belong to (so Go applies the same language semantics).
write_tool_module() {
  local dir=$1 upstream_gomod=$2 require=$3 replaces=$4
  shift 4
  local tools=("$@")
  mkdir -p "$dir"
  {
    echo "// Generated by scripts/k8s-tools/ensure-k8s-tools.sh; rewritten on every build."
    echo "module local.invalid/k8s-tools"
    echo
    grep -E '^go [0-9]' "$upstream_gomod" | head -n1
    grep -E '^godebug ' "$upstream_gomod" || true
    echo
    echo "tool ("
    printf '\t%s\n' "${tools[@]}"
    echo ")"
    echo
    echo "require $require"
    if [[ -n $replaces ]]; then
      echo
      echo "replace ("
      printf '%s\n' "$replaces"
      echo ")"
    fi
  } >"$dir/go.mod.new"
  mv -f "$dir/go.mod.new" "$dir/go.mod"
}

# Path of the go.mod of module@version (downloaded into Go's module cache).
module_gomod() {
  local json
  if ! json=$(cd "$cache" && go mod download -json "$1" 2>&1); then
    die "go mod download $1 failed (is that version published, and the Go module proxy reachable? GOPROXY=$(go env GOPROXY)):
$json"
  fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1
}

build_kubernetes() {
  require_go "etcd, kube-apiserver and kubectl are" 1.25
  local version=$KUBERNETES_VERSION
  [[ $version =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "KUBERNETES_VERSION '$version' is not of the form v1.X.Y"
  local minor=${BASH_REMATCH[1]} patch=${BASH_REMATCH[2]}
  local staging_version="v0.$minor.$patch"
  local dir=$cache/src/kubernetes-$version
  local upstream_gomod
  say "resolving k8s.io/kubernetes@$version on the Go module proxy …"
  upstream_gomod=$(module_gomod "k8s.io/kubernetes@$version") || exit 1
  [[ -f $upstream_gomod ]] || die "could not find the go.mod of k8s.io/kubernetes@$version"

  # k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/apiserver, …) at v0.0.0 and points
  # them at ./staging with replace lines, which Go ignores in a dependency. Pin each to the published tag.
  local modules replaces=''
  modules=$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._/-]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$upstream_gomod")
  [[ -n $modules ]] || die "no './staging' replace lines found in $upstream_gomod; cannot pin the staging modules"
  local module
  for module in $modules; do replaces+=$'\t'"$module => $module $staging_version"$'\n'; done
  replaces=${replaces%$'\n'}
  say "pinning $(wc -w <<<"$modules") k8s.io staging modules to $staging_version"

  write_tool_module "$dir" "$upstream_gomod" "k8s.io/kubernetes $version" "$replaces" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  run_logged "go mod tidy for k8s.io/kubernetes $version (downloads all dependencies on a cold cache)" \
    kubernetes-mod-tidy go -C "$dir" mod tidy

  # The version variables hack/lib/version.sh sets, so `kubectl version` and /version report $version.
  local ldflags='-s -w' pkg key value
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    for key in gitVersion=$version gitMajor=1 gitMinor=$minor gitTreeState=clean; do
      value=${key#*=}
      ldflags+=" -X $pkg.${key%%=*}=$value"
    done
  done
  local out=$dir/out
  rm -rf "$out" && mkdir -p "$out"
  run_logged "go build kube-apiserver and kubectl $version (cold: 5-10 min on 2 cores)" \
    kubernetes-build go -C "$dir" build -trimpath -ldflags="$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  [[ "$("$out/kube-apiserver" --version 2>&1)" == "Kubernetes $version" ]] ||
    die "built kube-apiserver reports '$("$out/kube-apiserver" --version 2>&1)', expected 'Kubernetes $version'"
  mv -f "$out/kube-apiserver" "$out/kubectl" "$bin/"
  rmdir "$out"
}

build_etcd_with_go() {
  require_go "etcd, kube-apiserver and kubectl are" 1.25
  local version=$ETCD_GO_VERSION dir=$cache/src/etcd-$ETCD_GO_VERSION upstream_gomod
  say "resolving go.etcd.io/etcd/server/v3@$version on the Go module proxy …"
  upstream_gomod=$(module_gomod "go.etcd.io/etcd/server/v3@$version") || exit 1
  [[ -f $upstream_gomod ]] || die "could not find the go.mod of go.etcd.io/etcd/server/v3@$version"
  write_tool_module "$dir" "$upstream_gomod" "go.etcd.io/etcd/server/v3 $version" '' go.etcd.io/etcd/server/v3
  run_logged "go mod tidy for etcd $version" etcd-mod-tidy go -C "$dir" mod tidy
  run_logged "go build etcd $version" etcd-build \
    go -C "$dir" build -trimpath -ldflags='-s -w' -o "$dir/etcd.new" go.etcd.io/etcd/server/v3
  local built
  built=$(etcd_version_of "$dir/etcd.new")
  [[ "v$built" == "$version" ]] || die "built etcd reports version '$built', expected ${version#v}"
  mv -f "$dir/etcd.new" "$bin/etcd"
}

debian_etcd_installed() {
  [[ "$(dpkg-query -W -f='${Status}' etcd-server 2>/dev/null)" == 'install ok installed' && -x /usr/bin/etcd ]]
}

debian_etcd_candidate() { apt-cache policy etcd-server 2>/dev/null | sed -n 's/^[[:space:]]*Candidate: //p'; }

# Succeeds with /usr/bin/etcd linked into bin/; returns 1 when Debian cannot provide etcd here.
etcd_from_debian() {
  if ! debian_etcd_installed; then
    command -v apt-get >/dev/null 2>&1 || return 1
    local candidate
    candidate=$(debian_etcd_candidate)
    if [[ -z $candidate || $candidate == '(none)' ]] && ((EUID == 0)); then
      run_logged "apt-get update (no etcd-server candidate in the package lists yet)" apt-update apt-get update
      candidate=$(debian_etcd_candidate)
    fi
    if [[ -z $candidate || $candidate == '(none)' ]]; then
      say "apt offers no etcd-server package here"
      return 1
    fi
    if ! etcd_supported "$candidate"; then
      say "Debian's etcd-server candidate is $candidate; kube-apiserver $KUBERNETES_VERSION needs etcd $etcd_requirement"
      return 1
    fi
    if ((EUID != 0)); then
      die "etcd is missing. Install Debian's etcd-server as root:
    sudo apt-get install -y etcd-server
  (or build etcd with Go instead: K8S_TOOLS_ETCD=go bash $here/ensure-k8s-tools.sh)"
    fi
    run_logged "apt-get install -y etcd-server ($candidate)" apt-install-etcd \
      env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server
    debian_etcd_installed || die "apt-get installed etcd-server but /usr/bin/etcd is missing"
  fi
  local version
  version=$(etcd_version_of /usr/bin/etcd)
  if [[ -z $version ]] || ! etcd_supported "$version"; then
    say "Debian's /usr/bin/etcd is ${version:-of unknown version}; kube-apiserver $KUBERNETES_VERSION needs etcd $etcd_requirement"
    return 1
  fi
  ln -sfn /usr/bin/etcd "$bin/etcd"
  say "etcd $version from Debian's etcd-server (the harness runs its own etcd processes; the package's" \
    "etcd.service is not used)"
}

if ! etcd_ok; then
  case $etcd_source in
    debian) etcd_from_debian || die "Debian cannot provide etcd $etcd_requirement here (K8S_TOOLS_ETCD=go builds it with Go)" ;;
    go) build_etcd_with_go ;;
    auto) etcd_from_debian || {
      say "falling back to building etcd $ETCD_GO_VERSION with Go"
      build_etcd_with_go
    } ;;
    *) die "K8S_TOOLS_ETCD must be auto, debian or go (got '$etcd_source')" ;;
  esac
  etcd_ok || die "etcd in $bin does not work: $("$bin/etcd" --version 2>&1 | head -n3)"
fi

if ! kube_apiserver_ok || ! kubectl_ok; then
  build_kubernetes
  kube_apiserver_ok || die "kube-apiserver in $bin does not report $KUBERNETES_VERSION after the build"
  kubectl_ok || die "kubectl in $bin does not report $KUBERNETES_VERSION after the build"
fi

say "installed in $((SECONDS - total_started)) s"
summary
if $print_env; then print_env_lines; fi
