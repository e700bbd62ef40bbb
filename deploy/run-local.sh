#!/usr/bin/env bash
# Runs SCIM Ledger in Quarkus dev mode (./mvnw quarkus:dev "$@").
#
# PostgreSQL is started locally (durable settings, installed binaries) unless SCIM_DB_HOST is set;
# Kafka is started locally (in-process KRaft broker) unless KAFKA_BOOTSTRAP_SERVERS is set.
# The local services run in io.scimledger.testinfra.LocalStackMain (log: target/local-stack.log) and are
# stopped when this script exits, is interrupted (Ctrl-C) or receives SIGTERM.
#
# Env: LOCAL_STACK_TIMEOUT (seconds to wait for the local services, default 300).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
ENV_FILE="$ROOT/target/local-stack.env"
LOG_FILE="$ROOT/target/local-stack.log"
TIMEOUT="${LOCAL_STACK_TIMEOUT:-300}"

stack_args=()
if [[ -z "${SCIM_DB_HOST:-}" ]]; then stack_args+=(--postgres); fi
if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then stack_args+=(--kafka); fi

if [[ ${#stack_args[@]} -eq 0 ]]; then
  echo "[run-local] SCIM_DB_HOST and KAFKA_BOOTSTRAP_SERVERS are set: starting no local services"
  exec ./mvnw quarkus:dev "$@"
fi

STACK_PID=""
DEV_PID=""

# All descendants of a pid (children first listed after their own children), by parent pid only.
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    descendants "$child"
    echo "$child"
  done
}

# Waits until none of the given pids is alive, at most $1 seconds. Returns 1 on timeout.
wait_gone() {
  local deadline=$((SECONDS + $1)); shift
  local p alive
  while :; do
    alive=""
    for p in "$@"; do
      if kill -0 "$p" 2>/dev/null; then alive=1; break; fi
    done
    [[ -z "$alive" ]] && return 0
    ((SECONDS >= deadline)) && return 1
    sleep 0.2
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$DEV_PID" ]] && kill -0 "$DEV_PID" 2>/dev/null; then
    local dev_pids
    dev_pids="$(descendants "$DEV_PID") $DEV_PID"
    # shellcheck disable=SC2086
    kill -TERM $dev_pids 2>/dev/null || true
    # shellcheck disable=SC2086
    if ! wait_gone 30 $dev_pids; then kill -KILL $dev_pids 2>/dev/null || true; fi
  fi
  if [[ -n "$STACK_PID" ]]; then
    echo "[run-local] stopping local services" >&2
    # The stack runs in its own process group (setsid); its shutdown hooks stop PostgreSQL and Kafka.
    kill -TERM -- "-$STACK_PID" 2>/dev/null || kill -TERM "$STACK_PID" 2>/dev/null || true
    local stack_pids
    stack_pids="$(descendants "$STACK_PID") $STACK_PID"
    # shellcheck disable=SC2086
    if ! wait_gone 60 $stack_pids; then
      echo "[run-local] local services did not stop in 60 s; killing them" >&2
      kill -KILL -- "-$STACK_PID" 2>/dev/null || true
    fi
    rm -f "$ENV_FILE"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$ROOT/target"
rm -f "$ENV_FILE"
echo "[run-local] starting local services: ${stack_args[*]} (log: $LOG_FILE)"
# setsid: own process group, so the trap can stop the whole group and terminal signals do not reach it.
setsid ./mvnw -q -B test-compile exec:java \
  -Dexec.classpathScope=test \
  -Dexec.mainClass=io.scimledger.testinfra.LocalStackMain \
  -Dexec.args="${stack_args[*]} --env-file $ENV_FILE --watch-pid $$" \
  >"$LOG_FILE" 2>&1 </dev/null &
STACK_PID=$!

deadline=$((SECONDS + TIMEOUT))
until [[ -f "$ENV_FILE" ]]; do
  if ! kill -0 "$STACK_PID" 2>/dev/null; then
    echo "[run-local] ERROR: the local services failed to start. Last lines of $LOG_FILE:" >&2
    tail -n 80 "$LOG_FILE" >&2 || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "[run-local] ERROR: local services not ready after ${TIMEOUT} s (set LOCAL_STACK_TIMEOUT to wait longer)." >&2
    echo "[run-local] Last lines of $LOG_FILE:" >&2
    tail -n 80 "$LOG_FILE" >&2 || true
    exit 1
  fi
  sleep 0.5
done

# shellcheck disable=SC1090
source "$ENV_FILE"
echo "[run-local] local services ready:${SCIM_DB_HOST:+ PostgreSQL $SCIM_DB_HOST:$SCIM_DB_PORT/$SCIM_DB_NAME}${KAFKA_BOOTSTRAP_SERVERS:+ Kafka $KAFKA_BOOTSTRAP_SERVERS}"

# Run dev mode in the background and wait for it: a foreground child would delay the TERM trap until it exits.
# fd 3 keeps the terminal as its stdin (background jobs would otherwise get /dev/null) for the dev console.
exec 3<&0
./mvnw quarkus:dev "$@" <&3 &
DEV_PID=$!
rc=0
wait "$DEV_PID" || rc=$?
DEV_PID=""
exit "$rc"
