#!/usr/bin/env bash
# Runs the SCIM Ledger benchmark end to end:
#   1. starts the service with deploy/run-local.sh (durable local PostgreSQL + local Kafka + ./mvnw quarkus:dev),
#   2. waits (up to BENCH_START_TIMEOUT seconds, default 300) until /q/health/ready answers 200 or /scim/v2/Users
#      answers 401,
#   3. runs bench/ScimBench.java with the given arguments, writing target/bench-report.md,
#   4. stops the service (SIGTERM to run-local.sh) and waits for it to exit.
#
# Usage: bash bench/run.sh [ScimBench options...]      e.g. bash bench/run.sh --threads 8 --creates 1000
# Logs: target/bench-service.log (Quarkus), target/bench-local-stack.log (PostgreSQL/Kafka). Port 8080 must be free.
#
# The service runs from a snapshot copy of the working tree (under /tmp, deleted afterwards), because quarkus:dev
# live-reloads, i.e. restarts mid-benchmark, when a source file changes. BENCH_SNAPSHOT=0 runs in place instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PORT=8080
HOST_URL="http://localhost:$PORT"
START_TIMEOUT="${BENCH_START_TIMEOUT:-300}"
SERVICE_LOG="$ROOT/target/bench-service.log"
REPORT="$ROOT/target/bench-report.md"
mkdir -p "$ROOT/target"

http_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

if [[ "$(http_code "$HOST_URL/q/health/ready")" != "000" ]]; then
  echo "[bench] ERROR: something already answers on port $PORT; stop it first." >&2
  exit 1
fi

RUN_DIR="$ROOT"
SNAP_DIR=""
if [[ "${BENCH_SNAPSHOT:-1}" == "1" ]]; then
  SNAP_DIR="$(mktemp -d /tmp/scimledger-bench-XXXXXX)"
  tar -C "$ROOT" --exclude=./target --exclude=./.git -cf - . | tar -C "$SNAP_DIR" -xf -
  RUN_DIR="$SNAP_DIR"
  echo "[bench] service runs from a snapshot of the working tree: $SNAP_DIR"
fi
code_version="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null)" ]]; then
  code_version="$code_version + uncommitted changes"
fi

SERVICE_PID=""
stop_service() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    echo "[bench] stopping the service (SIGTERM to run-local.sh, pid $SERVICE_PID)"
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    # run-local.sh waits up to 30 s for dev mode and 60 s for PostgreSQL/Kafka itself.
    for _ in $(seq 1 240); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
      echo "[bench] WARNING: run-local.sh (pid $SERVICE_PID) still running after 120 s" >&2
    else
      wait "$SERVICE_PID" 2>/dev/null || true
      echo "[bench] service stopped"
    fi
  fi
  SERVICE_PID=""
}
cleanup() {
  stop_service
  if [[ -n "$SNAP_DIR" && -d "$SNAP_DIR" ]]; then
    cp "$SNAP_DIR/target/local-stack.log" "$ROOT/target/bench-local-stack.log" 2>/dev/null || true
    rm -rf "$SNAP_DIR"
  fi
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "[bench] starting the service: deploy/run-local.sh (log: $SERVICE_LOG)"
# No dev console (no terminal here); everything else is the plain dev profile.
bash "$RUN_DIR/deploy/run-local.sh" -Dquarkus.console.enabled=false </dev/null >"$SERVICE_LOG" 2>&1 &
SERVICE_PID=$!

deadline=$((SECONDS + START_TIMEOUT))
while :; do
  health="$(http_code "$HOST_URL/q/health/ready")"
  users="$(http_code "$HOST_URL/scim/v2/Users")"
  if [[ "$health" == "200" || "$users" == "401" ]]; then
    echo "[bench] service ready after ${SECONDS} s (health $health, /Users without token $users)"
    break
  fi
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
    echo "[bench] ERROR: the service exited during start-up. Last lines of $SERVICE_LOG:" >&2
    tail -n 60 "$SERVICE_LOG" >&2 || true
    SERVICE_PID=""
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "[bench] ERROR: service not ready after ${START_TIMEOUT} s. Last lines of $SERVICE_LOG:" >&2
    tail -n 60 "$SERVICE_LOG" >&2 || true
    exit 1
  fi
  sleep 2
done

# Record the PostgreSQL durability settings actually in effect (the local stack runs PostgreSQL durably).
note="code $code_version; Quarkus dev mode (./mvnw quarkus:dev via deploy/run-local.sh), Kafka relay enabled"
if [[ -f "$RUN_DIR/target/local-stack.env" ]] && command -v psql >/dev/null; then
  # shellcheck disable=SC1091
  source "$RUN_DIR/target/local-stack.env"
  if pg="$(PGPASSWORD="$SCIM_DB_APP_PASSWORD" psql -X -A -t -h "$SCIM_DB_HOST" -p "$SCIM_DB_PORT" -U "$SCIM_DB_APP_USER" \
      -d "$SCIM_DB_NAME" -c "select 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes')" 2>/dev/null)"; then
    note="$note; $pg"
    echo "[bench] $pg"
  fi
fi

echo "[bench] running: java bench/ScimBench.java --out $REPORT $*"
rc=0
java bench/ScimBench.java --env-note "$note" --out "$REPORT" "$@" || rc=$?
echo "[bench] ScimBench exited with $rc; report: $REPORT"
exit "$rc"
