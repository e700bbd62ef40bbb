# Shared by bench/run.sh, bench/scale.sh and bench/audit.sh (sourced, not run): start the service the way a
# newcomer does (deploy/run-local.sh: durable local PostgreSQL + local Kafka + ./mvnw quarkus:dev), wait until it
# answers, and always stop it and the local stack again.
#
# The service runs from a snapshot copy of the working tree (under /tmp, deleted afterwards), because quarkus:dev
# live-reloads, i.e. restarts mid-benchmark, when a source file changes. BENCH_SNAPSHOT=0 runs in place instead.
#
# A script calls bench_init NAME first; it may define bench_on_exit (called before the service stops).
# After bench_start_service, RUN_DIR/target/local-stack.env describes the stack; bench_db_env exports it as PG*.

PORT="${BENCH_PORT:-8080}" # another port lets two benchmarks run side by side
HOST_URL="http://localhost:$PORT"
START_TIMEOUT="${BENCH_START_TIMEOUT:-300}"

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }

# bench_init NAME: log prefix and file names (target/NAME-*), refuses to run when port 8080 is taken.
bench_init() {
  BENCH_NAME="$1"
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$ROOT"
  mkdir -p "$ROOT/target"
  if [[ "$(http_code "$HOST_URL/q/health/ready")" != "000" ]]; then
    echo "[$BENCH_NAME] ERROR: something already answers on port $PORT; stop it first." >&2
    exit 1
  fi
  RUN_DIR="$ROOT"
  SNAP_DIR=""
  if [[ "${BENCH_SNAPSHOT:-1}" == "1" ]]; then
    SNAP_DIR="$(mktemp -d "/tmp/scimledger-$BENCH_NAME-XXXXXX")"
    tar -C "$ROOT" --exclude=./target --exclude=./.git -cf - . | tar -C "$SNAP_DIR" -xf -
    RUN_DIR="$SNAP_DIR"
    echo "[$BENCH_NAME] service runs from a snapshot of the working tree: $SNAP_DIR"
  fi
  CODE_VERSION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null)" ]]; then
    CODE_VERSION="$CODE_VERSION + uncommitted changes"
  fi
  SERVICE_PID=""
  trap 'rc=$?; bench_cleanup; exit $rc' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# bench_start_service LOG [run-local.sh args...]: starts the service and waits until it answers.
bench_start_service() {
  local log="$1"
  shift
  echo "[$BENCH_NAME] starting the service: deploy/run-local.sh $* (log: $log)"
  # No dev console (no terminal here).
  bash "$RUN_DIR/deploy/run-local.sh" -Dquarkus.console.enabled=false -Dquarkus.http.port="$PORT" "$@" </dev/null >"$log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if [[ "$(http_code "$HOST_URL/q/health/ready")" == "200" || "$(http_code "$HOST_URL/scim/v2/Users")" == "401" ]]; then
      echo "[$BENCH_NAME] service ready after ${SECONDS} s"
      return 0
    fi
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      echo "[$BENCH_NAME] ERROR: the service exited during start-up. Last lines of $log:" >&2
      tail -n 60 "$log" >&2 || true
      SERVICE_PID=""
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "[$BENCH_NAME] ERROR: service not ready after ${START_TIMEOUT} s. Last lines of $log:" >&2
      tail -n 60 "$log" >&2 || true
      exit 1
    fi
    sleep 2
  done
}

# bench_db_env: exports PGHOST... for psql as the schema owner (the benchmarks load data with SQL).
bench_db_env() {
  # shellcheck disable=SC1091
  source "$RUN_DIR/target/local-stack.env"
  export PGHOST="$SCIM_DB_HOST" PGPORT="$SCIM_DB_PORT" PGDATABASE="$SCIM_DB_NAME" PGUSER="$SCIM_DB_OWNER_USER" \
    PGPASSWORD="$SCIM_DB_OWNER_PASSWORD"
}

bench_stop_service() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    echo "[$BENCH_NAME] stopping the service (SIGTERM to run-local.sh, pid $SERVICE_PID)"
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    # run-local.sh waits up to 30 s for dev mode and 60 s for PostgreSQL/Kafka itself.
    for _ in $(seq 1 240); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
      echo "[$BENCH_NAME] WARNING: run-local.sh (pid $SERVICE_PID) still running after 120 s" >&2
    else
      wait "$SERVICE_PID" 2>/dev/null || true
      echo "[$BENCH_NAME] service stopped"
    fi
  fi
  SERVICE_PID=""
}

bench_cleanup() {
  if declare -F bench_on_exit >/dev/null; then
    bench_on_exit || true
  fi
  bench_stop_service
  if [[ -n "$SNAP_DIR" && -d "$SNAP_DIR" ]]; then
    cp "$SNAP_DIR/target/local-stack.log" "$ROOT/target/$BENCH_NAME-local-stack.log" 2>/dev/null || true
    rm -rf "$SNAP_DIR"
  fi
}
