#!/usr/bin/env bash
# Makes sure the test trace collector (Jaeger v2 all-in-one: OTLP receiver, memory storage, query API) is in
# a cache directory outside the repository, building it with Go from the module proxy only when missing.
# Idempotent; safe to run concurrently (one run builds, the others wait on a lock and then find it in place).
#
#   bash scripts/tracing-tools/ensure-tracing-tools.sh           build what is missing, print a summary
#   bash scripts/tracing-tools/ensure-tracing-tools.sh --check   build nothing; exit 1 when missing
#   ... --print-env                                              also print KEY=value lines on stdout
#                                                                (progress always goes to stderr)
#
# The version is pinned in versions.env next to this script. Where things live:
#   TRACING_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hazelcast-microservices-ts/tracing-tools)
#     bin/jaeger           the built binary
#     bin/jaeger.version   the module version it was built from (what --check compares)
#     src/jaeger-vX/       the generated Go module the binary is built from
#     logs/                output of go mod tidy / go build of the last run of each step
#   Go's module cache (go env GOMODCACHE) and build cache (go env GOCACHE) are Go's own, also outside the repo.
#
# Environment:
#   GOFLAGS   passed through to go (e.g. GOFLAGS=-p=1 to build on one core)
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.env
source "$here/versions.env"
: "${JAEGER_MODULE_VERSION:?not set in versions.env}" "${JAEGER_VERSION:?not set in versions.env}"

cache=${TRACING_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hazelcast-microservices-ts/tracing-tools}
bin=$cache/bin
logs=$cache/logs

mode=ensure
print_env=false
for arg in "$@"; do
  case $arg in
    --check) mode=check ;;
    --print-env) print_env=true ;;
    -h | --help)
      sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "ensure-tracing-tools.sh: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

say() { printf '[tracing-tools] %s\n' "$*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}
trap 'die "unexpected error at ${BASH_SOURCE[0]}:${LINENO}: ${BASH_COMMAND}"' ERR

run_logged() {
  local what=$1 name=$2
  shift 2
  local log=$logs/$name.log started=$SECONDS
  mkdir -p "$logs"
  say "$what … (log: $log)"
  if ! { printf '# %s\n# %s\n' "$(date -Is)" "$*" && "$@"; } >"$log" 2>&1; then
    say "---- last lines of $log ----"
    tail -n 40 "$log" >&2 || true
    die "$what (command: $*; full log: $log)"
  fi
  say "$what: done in $((SECONDS - started)) s"
}

# `jaeger version` prints a JSON line with "gitVersion":"<what the build stamped>".
jaeger_reports() { "$1" version 2>/dev/null | grep -o '"gitVersion":"[^"]*"' | head -n1 | cut -d'"' -f4; }

jaeger_ok() {
  [[ -x $bin/jaeger && -f $bin/jaeger.version ]] &&
    [[ "$(cat "$bin/jaeger.version")" == "$JAEGER_MODULE_VERSION" ]] &&
    [[ "$(jaeger_reports "$bin/jaeger")" == "$JAEGER_VERSION" ]]
}

print_env_lines() {
  printf 'TRACING_TOOLS_CACHE=%s\nJAEGER=%s\nJAEGER_MODULE_VERSION=%s\nJAEGER_VERSION=%s\n' \
    "$cache" "$bin/jaeger" "$JAEGER_MODULE_VERSION" "$JAEGER_VERSION"
}

summary() { say "OK: jaeger $JAEGER_VERSION (github.com/jaegertracing/jaeger $JAEGER_MODULE_VERSION) in $bin"; }

if jaeger_ok; then
  summary
  if $print_env; then print_env_lines; fi
  exit 0
fi
if [[ $mode == check ]]; then
  die "the test trace collector is not installed in $bin. Run: bash $here/ensure-tracing-tools.sh" \
    "(first run builds Jaeger with Go: several minutes on 2 cores)"
fi

mkdir -p "$cache" "$bin" "$logs"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  say "another ensure-tracing-tools run holds $cache/.lock; waiting for it to finish …"
  flock 9
fi
if jaeger_ok; then
  summary
  if $print_env; then print_env_lines; fi
  exit 0
fi
total_started=$SECONDS

command -v go >/dev/null 2>&1 ||
  die "'go' is not on PATH. Jaeger is built from source with Go (1.24 or newer; see https://go.dev/doc/install)."
export GOWORK=off CGO_ENABLED=${CGO_ENABLED:-0}
say "using $(go version) (GOFLAGS='${GOFLAGS:-}', GOCACHE=$(go env GOCACHE), GOMODCACHE=$(go env GOMODCACHE))"

module=github.com/jaegertracing/jaeger
version=$JAEGER_MODULE_VERSION
dir=$cache/src/jaeger-$version
say "resolving $module@$version on the Go module proxy …"
json=$(cd "$cache" && go mod download -json "$module@$version" 2>&1) ||
  die "go mod download $module@$version failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY)):
$json"
upstream_gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)
[[ -f $upstream_gomod ]] || die "could not find the go.mod of $module@$version"

# A module that only exists to build the tool. Jaeger's own go and replace lines are copied (Go ignores a
# dependency's replace lines, and Jaeger pins sarama with one).
mkdir -p "$dir"
{
  echo "// Generated by scripts/tracing-tools/ensure-tracing-tools.sh; rewritten on every build."
  echo "module local.invalid/tracing-tools"
  echo
  grep -E '^go [0-9]' "$upstream_gomod" | head -n1
  grep -E '^godebug ' "$upstream_gomod" || true
  echo
  echo "tool $module/cmd/jaeger"
  echo
  echo "require $module $version"
  grep -E '^replace ' "$upstream_gomod" || true
} >"$dir/go.mod.new"
mv -f "$dir/go.mod.new" "$dir/go.mod"

run_logged "go mod tidy for $module $version (downloads all dependencies on a cold cache)" \
  jaeger-mod-tidy go -C "$dir" mod tidy
out=$dir/out
rm -rf "$out" && mkdir -p "$out"
# What Jaeger's own Makefile stamps, so `jaeger version` names the release.
ldflags="-s -w -X $module/internal/version.latestVersion=$JAEGER_VERSION"
ldflags+=" -X $module/internal/version.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
run_logged "go build jaeger $JAEGER_VERSION (cold: several minutes on 2 cores)" \
  jaeger-build go -C "$dir" build -trimpath -ldflags="$ldflags" -o "$out/jaeger" "$module/cmd/jaeger"
[[ "$(jaeger_reports "$out/jaeger")" == "$JAEGER_VERSION" ]] ||
  die "the built jaeger reports version '$(jaeger_reports "$out/jaeger")', expected $JAEGER_VERSION: $("$out/jaeger" version 2>&1 | head -n5)"
mv -f "$out/jaeger" "$bin/jaeger"
echo "$version" >"$bin/jaeger.version"
rmdir "$out"

say "installed in $((SECONDS - total_started)) s"
summary
if $print_env; then print_env_lines; fi
