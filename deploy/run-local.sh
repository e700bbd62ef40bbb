#!/usr/bin/env bash
# Runs SCIM Ledger locally: by default in Quarkus dev mode (./mvnw quarkus:dev "$@"); with --packaged (or
# SCIM_RUN_PACKAGED=1) the packaged target/quarkus-app/quarkus-run.jar in the prod profile, as in production.
#
# PostgreSQL is started locally (durable settings, installed binaries) unless SCIM_DB_HOST is set;
# Kafka is started locally (in-process KRaft broker) unless KAFKA_BOOTSTRAP_SERVERS is set.
# The local services run in io.scimledger.testinfra.LocalStackMain (log: target/local-stack.log) and are
# stopped when this script exits, is interrupted (Ctrl-C) or receives SIGTERM.
#
# --packaged: build the jar first (./mvnw package -DskipTests). The prod profile refuses the development JWT key
# and issuer and needs a master key, so this mode generates THROWAWAY keys into target/packaged-keys/ (JWT RSA key
# pair, issuer https://scim-ledger.local/packaged, master key, checkpoint Ed25519 pair) for every setting that is
# not already in the environment, then runs `java "$@" -jar target/quarkus-app/quarkus-run.jar` (remaining
# arguments are JVM options, e.g. -Dquarkus.http.port=8081). Mint a token it accepts with
#   MINT_KEY=target/packaged-keys/jwt-private.pem MINT_ISSUER=https://scim-ledger.local/packaged \
#     deploy/mint-dev-token.sh acme "scim:read scim:write"
# Those keys are for a local run only; README "Running in production" says how to make and keep real ones.
#
# Env: LOCAL_STACK_TIMEOUT (seconds to wait for the local services, default 300); SCIM_RUN_PACKAGED=1 (same as
# --packaged).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
ENV_FILE="$ROOT/target/local-stack.env"
LOG_FILE="$ROOT/target/local-stack.log"
TIMEOUT="${LOCAL_STACK_TIMEOUT:-300}"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
KEY_DIR="$ROOT/target/packaged-keys"

PACKAGED="${SCIM_RUN_PACKAGED:-0}"
args=()
for a in "$@"; do
  if [[ "$a" == "--packaged" ]]; then PACKAGED=1; else args+=("$a"); fi
done
set -- ${args[@]+"${args[@]}"}
if [[ "$PACKAGED" == "1" && ! -f "$JAR" ]]; then
  echo "[run-local] ERROR: $JAR is missing; build it first: ./mvnw package -DskipTests" >&2
  exit 1
fi

# Throwaway production-profile settings for a local packaged run, each only where the environment has none.
packaged_settings() {
  mkdir -p "$KEY_DIR"
  chmod 700 "$KEY_DIR"
  if [[ -z "${MP_JWT_VERIFY_PUBLICKEY_LOCATION:-}" ]]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY_DIR/jwt-private.pem" 2>/dev/null
    openssl pkey -in "$KEY_DIR/jwt-private.pem" -pubout -out "$KEY_DIR/jwt-public.pem"
    export MP_JWT_VERIFY_PUBLICKEY_LOCATION="$KEY_DIR/jwt-public.pem"
  fi
  export SCIM_JWT_ISSUER="${SCIM_JWT_ISSUER:-https://scim-ledger.local/packaged}"
  if [[ -z "${SCIM_CRYPTO_MASTER_KEY:-}" ]]; then
    SCIM_CRYPTO_MASTER_KEY="$(openssl rand -base64 32)"
    export SCIM_CRYPTO_MASTER_KEY
  fi
  if [[ -z "${SCIM_AUDIT_CHECKPOINT_KEY:-}" ]]; then
    openssl genpkey -algorithm ed25519 -out "$KEY_DIR/checkpoint-private.pem"
    SCIM_AUDIT_CHECKPOINT_KEY="$(openssl pkey -in "$KEY_DIR/checkpoint-private.pem" -outform DER | base64 -w0)"
    SCIM_AUDIT_CHECKPOINT_PUBLIC_KEY="$(openssl pkey -in "$KEY_DIR/checkpoint-private.pem" -pubout -outform DER | base64 -w0)"
    export SCIM_AUDIT_CHECKPOINT_KEY SCIM_AUDIT_CHECKPOINT_PUBLIC_KEY
  fi
  export QUARKUS_PROFILE=prod
  echo "[run-local] packaged jar, prod profile; throwaway keys in $KEY_DIR (issuer $SCIM_JWT_ISSUER). Token:"
  echo "[run-local]   MINT_KEY=$KEY_DIR/jwt-private.pem MINT_ISSUER=$SCIM_JWT_ISSUER deploy/mint-dev-token.sh acme"
}

stack_args=()
if [[ -z "${SCIM_DB_HOST:-}" ]]; then stack_args+=(--postgres); fi
if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then stack_args+=(--kafka); fi

if [[ ${#stack_args[@]} -eq 0 ]]; then
  echo "[run-local] SCIM_DB_HOST and KAFKA_BOOTSTRAP_SERVERS are set: starting no local services"
  if [[ "$PACKAGED" == "1" ]]; then
    packaged_settings
    exec java "$@" -jar "$JAR"
  fi
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

# Run the service in the background and wait for it: a foreground child would delay the TERM trap until it exits.
# fd 3 keeps the terminal as its stdin (background jobs would otherwise get /dev/null) for the dev console.
exec 3<&0
if [[ "$PACKAGED" == "1" ]]; then
  packaged_settings
  java "$@" -jar "$JAR" <&3 &
else
  ./mvnw quarkus:dev "$@" <&3 &
fi
DEV_PID=$!
rc=0
wait "$DEV_PID" || rc=$?
DEV_PID=""
exit "$rc"
