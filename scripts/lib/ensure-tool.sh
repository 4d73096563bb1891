# shellcheck shell=bash
# The sourcing script sets tool_tag, tool_script, cache and logs and reads mode and print_env:
# shellcheck disable=SC2034,SC2154
# Shared by the scripts that build test tools with Go into a cache outside the repository
# (scripts/k8s-tools/ensure-k8s-tools.sh, scripts/tracing-tools/ensure-tracing-tools.sh,
# scripts/load-tools/ensure-vegeta.sh).
# Before sourcing, the script sets:
#   tool_tag      prefix of progress lines, e.g. k8s-tools
#   tool_script   the script's file name, for messages
#   cache, logs   its cache directory and where step logs go
# After sourcing: $mode (ensure|check) and $print_env (true|false) from the command line, say/die, an ERR
# trap, run_logged, take_lock, require_go, done_if and upstream_gomod.

mode=ensure
print_env=false
# parse_tool_args "$@": --check, --print-env, --help (prints the script's header comment).
parse_tool_args() {
  local arg
  for arg in "$@"; do
    case $arg in
      --check) mode=check ;;
      --print-env) print_env=true ;;
      -h | --help)
        sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[1]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
      *)
        echo "$tool_script: unknown argument '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
  done
}

# Progress goes to stderr, so --print-env's stdout stays machine-readable.
say() { printf '[%s] %s\n' "$tool_tag" "$*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}
trap 'die "unexpected error at ${BASH_SOURCE[0]}:${LINENO}: ${BASH_COMMAND}"' ERR

# run_logged <step description> <log name> <command...>: output goes to logs/<log name>.log; on failure the
# tail of that log is shown and the script stops.
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

# take_lock: one run builds, concurrent ones wait here and then find the result in place. The lock is held
# on fd 9 until the script exits.
take_lock() {
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  if ! flock -n 9; then
    say "another $tool_script run holds $cache/.lock; waiting for it to finish …"
    flock 9
  fi
}

# require_go <what is built> <oldest Go that builds it>: Go on PATH, module mode without a workspace.
# CGO off: static binaries that need no C toolchain. GOTOOLCHAIN is left as configured (Go 1.21+ may fetch
# the go version a go.mod names from the module proxy when the installed one is older).
require_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' is not on PATH. $1 built from source with Go ($2 or newer; see https://go.dev/doc/install)."
  export GOWORK=off CGO_ENABLED=${CGO_ENABLED:-0}
  say "using $(go version) (GOFLAGS='${GOFLAGS:-}', GOCACHE=$(go env GOCACHE), GOMODCACHE=$(go env GOMODCACHE))"
}

# done_if <check function>: when the check succeeds, prints the summary (and, with --print-env, the KEY=value
# lines) and exits 0. The sourcing script defines summary and print_env_lines.
done_if() {
  if "$1"; then
    summary
    if $print_env; then print_env_lines; fi
    exit 0
  fi
}

# upstream_gomod <module@version>: downloads it into Go's module cache; prints the path of its go.mod.
upstream_gomod() {
  local json gomod
  json=$(cd "$cache" && go mod download -json "$1" 2>&1) ||
    die "go mod download $1 failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY)):
$json"
  gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)
  [[ -f $gomod ]] || die "could not find the go.mod of $1"
  printf '%s\n' "$gomod"
}
