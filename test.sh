#!/usr/bin/env bash
# Runs every OpsConsole test suite, the way CI does.
#  - installs what the tests need and the machine lacks (Debian: postgresql, chromium, prometheus for promtool and
#    the PromQL conformance suite's real Prometheus)
#  - starts a throwaway PostgreSQL cluster on a loopback port and always stops it again
#  - builds the solution (warnings are errors) and runs every test project
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Auth]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)

log() { printf '\033[1;34m[test.sh]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[test.sh] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

# --- 1. what the tests need ---------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
missing=()
{ [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/postgres" ]; } || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } || missing+=(prometheus)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "apt-get update failed; install ${missing[*]} by hand"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
  # The Debian packages start their own services; the tests use their own throwaway ones.
  as_root systemctl disable --now prometheus >/dev/null 2>&1 || as_root service prometheus stop >/dev/null 2>&1 || true
fi
PG_BIN=$(pg_bin)
[ -x "$PG_BIN/postgres" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
command -v chromium >/dev/null || die "chromium is required for the e2e tests"
command -v promtool >/dev/null || die "promtool (Debian package prometheus) is required"
command -v prometheus >/dev/null || die "prometheus (Debian package prometheus) is required by the PromQL conformance tests"
command -v npm >/dev/null || die "npm is required: the build installs the browser libraries from package-lock.json"

# --- 2. a throwaway PostgreSQL on loopback --------------------------------------------------------
PG_DIR=$(mktemp -d /tmp/opsconsole-pg.XXXXXX)
PG_PORT=${OPSCONSOLE_PG_PORT:-55432}
while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$PG_DIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT INT TERM
log "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log"; die "initdb failed"; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null \
  || { cat "$PG_DIR/server.log"; die "PostgreSQL did not start"; }
export OPSCONSOLE_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
export OPSCONSOLE_CHROMIUM=${OPSCONSOLE_CHROMIUM:-$(command -v chromium)}

# --- 3. build and test ---------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log "building"
dotnet build OpsConsole.sln -c Debug -nologo -v quiet -clp:ErrorsOnly

RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"
log "running tests"
status=0
dotnet test OpsConsole.sln -c Debug --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS" "$@" || status=$?

# One summary line over every suite ("N passed, N failed"), read from the TRX files.
passed=0; failed=0; skipped=0
for f in "$RESULTS"/*.trx; do
  [ -f "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f1=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f1:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo
echo "Total: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then die "no test ran"; fi
if [ "$skipped" -gt 0 ]; then die "$skipped test(s) were skipped; every test must run"; fi
exit $status
