#!/usr/bin/env bash
# The speed bars of issue 13, measured on the PACKAGED service in the prod profile (not dev mode):
#
#   bash bench/speed.sh                 # build the jar (through the Maven lock), start, measure, stop
#   SPEED_SKIP_BUILD=1 bash bench/speed.sh   # reuse target/quarkus-app as it is
#   SPEED_SECONDS=20 bash bench/speed.sh     # seconds per measured run (default 15; warm-ups: SPEED_WARM_SECONDS,
#                                            # 10, the first one SPEED_FIRST_WARM_SECONDS, 60, for the JIT)
#
# 1. builds target/quarkus-app (./mvnw -B -o package -DskipTests under flock /tmp/scim-maven.lock);
# 2. starts it with deploy/run-local.sh --packaged: durable local PostgreSQL (fsync, synchronous_commit on),
#    in-process Kafka with the relay publishing, throwaway prod keys in target/packaged-keys/;
# 3. registers tenant "bench" with a platform:admin token, mints a tenant JWT and issues a provisioning token
#    (slpt_..., the secret-token path Okta and Entra use);
# 4. for each request (POST, GET by id with either token, userName filter, PATCH) measures the service with wrk
#    (16 connections, 2 threads, --latency) and then pgbench
#    running the SAME statements the service runs for that request, captured with log_statement=all while one
#    request of each kind ran (reads: turned into pgbench scripts by bench/speed/pgbench-script.py, written to
#    target/speed/get-user.sql and filter-user.sql; POST and PATCH: bench/speed/post-user.sql and patch-user.sql,
#    the captured statements with fresh keys so they can repeat; all captures: target/speed/statements.log, to
#    check those two files against) with 16 clients,
#    -M prepared like the service's reactive client. POST /Users runs first and seeds the users the reads use.
#    The measurements hold /tmp/scim-maven.lock (taken once) so that other people's builds do not distort them;
# 5. prints one table (ratio = service req/s / pgbench tx/s; p50/p99; errors; the machine) to stdout and
#    target/speed-report.md.
#
# Installs wrk (Debian package) when missing; pgbench comes with postgresql-contrib / postgresql-client.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export BENCH_SNAPSHOT=0 # the packaged jar does not live-reload: run in place
SECONDS_PER_RUN="${SPEED_SECONDS:-15}"
WARM_SECONDS="${SPEED_WARM_SECONDS:-10}"
# The first run also warms the JIT up: with 10 s, C2 still took 0.6 ms of CPU per POST while it was measured, and
# bench/relay.sh found a cold service writing at half its warm speed.
FIRST_WARM_SECONDS="${SPEED_FIRST_WARM_SECONDS:-60}"
CONNECTIONS=16
LOCK=/tmp/scim-maven.lock

need() {
  if ! command -v "$1" >/dev/null; then
    echo "[speed] installing $2 (for $1)"
    if [[ "$(id -u)" == "0" ]]; then apt-get install -y -q "$2" >/dev/null; else sudo apt-get install -y -q "$2" >/dev/null; fi
  fi
}
need wrk wrk
need pgbench postgresql-contrib
need psql postgresql-client
need python3 python3

if [[ "${SPEED_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[speed] building the jar (waits for $LOCK)"
  (cd "$ROOT" && flock "$LOCK" ./mvnw -B -o -q package -DskipTests)
fi

bench_init speed
OUT="$ROOT/target/speed"
rm -rf "$OUT"
mkdir -p "$OUT"
REPORT="$ROOT/target/speed-report.md"
bench_start_service "$ROOT/target/speed-service.log" --packaged
bench_db_env
source "$ROOT/target/local-stack.env"
SUPER=(psql -X -q -A -t -U postgres) # initdb -A trust: the local cluster's superuser, for the statement capture
export PGUSER="$SCIM_DB_APP_USER" PGPASSWORD="$SCIM_DB_APP_PASSWORD" # pgbench runs as the service's own role

mint() {
  MINT_KEY="$ROOT/target/packaged-keys/jwt-private.pem" MINT_ISSUER="https://scim-ledger.local/packaged" \
    bash "$ROOT/deploy/mint-dev-token.sh" bench "$1"
}
ADMIN_TOKEN="$(mint "platform:admin")"
JWT="$(mint "scim:read scim:write")"
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"bench","settings":{"requestsPerSecond":1000000,"burst":1000000}}' "$HOST_URL/admin/tenants"
SLPT="$(curl -sf -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"label":"speed","scopes":["scim:read","scim:write"]}' "$HOST_URL/admin/tenants/bench/credentials" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')"
[[ "$SLPT" == slpt_* ]] || { echo "[speed] ERROR: no provisioning token issued" >&2; exit 1; }

# --- statement capture: what the service sends PostgreSQL for one request of each kind --------------------------
PG_LOG="$(dirname "$("${SUPER[@]}" -c 'show data_directory')")/postgres.log"
capture() { # capture LABEL FILE curl-args...: the log written while that one request ran, to FILE and (readable) statements.log
  local label="$1" file="$2" before
  shift 2
  before="$(wc -l <"$PG_LOG")"
  curl -s -o "$OUT/capture.json" "$@"
  sleep 0.3
  tail -n +"$((before + 1))" "$PG_LOG" >"$file"
  { echo "### $label"; grep -E 'LOG:  (execute|statement)|DETAIL:  parameters' "$file" |
      grep -v -e relay_checkpoint -e 'pg_snapshot_xmin' | sed -E 's/^.*(LOG|DETAIL): +//' | cut -c1-400; echo; } >>"$OUT/statements.log"
}
"${SUPER[@]}" -c "alter system set log_statement = 'all'" -c "select pg_reload_conf()" >/dev/null
sleep 0.5
capture "POST /Users" "$OUT/capture-post.log" -X POST -H "Authorization: Bearer $JWT" -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"capture","name":{"givenName":"Ada","familyName":"Lovelace"},"displayName":"Ada Lovelace","emails":[{"value":"capture@example.com","type":"work","primary":true}],"active":true}' \
  "$HOST_URL/scim/v2/Users"
CAPTURED_ID="$(sed -E 's/.*"id":"([^"]+)".*/\1/' "$OUT/capture.json")"
capture "GET /Users/{id}" "$OUT/capture-get.log" -H "Authorization: Bearer $JWT" "$HOST_URL/scim/v2/Users/$CAPTURED_ID"
capture "GET /Users?filter=userName eq" "$OUT/capture-filter.log" -H "Authorization: Bearer $JWT" "$HOST_URL/scim/v2/Users?filter=userName%20eq%20%22CAPTURE%22"
capture "PATCH /Users/{id}" "$OUT/capture-patch.log" -X PATCH -H "Authorization: Bearer $JWT" \
  -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ada L."},{"op":"replace","path":"title","value":"Engineer"}]}' \
  "$HOST_URL/scim/v2/Users/$CAPTURED_ID"
"${SUPER[@]}" -c "alter system reset log_statement" -c "select pg_reload_conf()" >/dev/null
# pgbench's own writes (POST, PATCH) go to a copy of the schema in database speed_pg: in the service's database
# its rows would enter the log, and the relay, unable to open their made-up data keys, would stop publishing the
# service's events for the rest of the run (which made later runs look cheaper than they are).
"${SUPER[@]}" -c "DROP DATABASE IF EXISTS speed_pg" -c "CREATE DATABASE speed_pg"
pg_dump -U postgres --schema-only "$PGDATABASE" | psql -X -q -U postgres -d speed_pg >/dev/null
# pgbench runs the reads' statements exactly as captured (bench/speed/pgbench-script.py), one user per script.
python3 "$ROOT/bench/speed/pgbench-script.py" "$OUT/capture-get.log" "$CAPTURED_ID" - >"$OUT/get-user.sql"
python3 "$ROOT/bench/speed/pgbench-script.py" "$OUT/capture-filter.log" "$CAPTURED_ID" CAPTURE >"$OUT/filter-user.sql"

# --- measurement helpers ----------------------------------------------------------------------------------------
# CPU by process and by service thread: bench/cpu.sh.
CPU_POSTMASTER="$(head -1 "$("${SUPER[@]}" -c 'show data_directory')/postmaster.pid")"
# shellcheck source=bench/cpu.sh
source "$ROOT/bench/cpu.sh"
THREADS=()
# thread_row LABEL REQUESTS BEFORE-FILE AFTER-FILE: the service's CPU per request by thread group, largest first.
thread_row() {
  THREADS+=("| $1 | $(awk -F'\t' -v n="$2" -v hz="$(getconf CLK_TCK)" '
    FNR == NR { before[$2] = $1; next }
    { d = $1 - before[$2]; if (d > 0) { cpu[$2] = d; total += d } }
    END { for (k in cpu) printf "%.3f\t%s\n", cpu[k] * 1000 / hz / n, k }' "$3" "$4" |
    sort -rn | head -6 | awk -F'\t' '{ printf "%s%s %s ms", (NR > 1 ? ", " : ""), $2, $1 }') |")
}
CPU=()
# cpu_row LABEL REQUESTS BEFORE AFTER: CPU ms per request by process, and how busy the machine was.
cpu_row() {
  CPU+=("$(awk -v label="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" -v b="$3" -v a="$4" 'BEGIN {
    split(b, x, " "); split(a, y, " ")
    ms = 1000 / hz / n
    printf "| %s | %.3f | %.3f | %.3f | %.3f | %.0f %% |", label, (y[1] - x[1]) * ms, (y[2] - x[2]) * ms,
      (y[3] - x[3]) * ms, (y[4] - x[4]) * ms, 100 * (y[4] - x[4]) / (y[5] - x[5]) }')")
}
ROWS=()
PG_EXTRA=()
PHASES=()
# The service's own timers (ops.Phases, scim.phase; the whole request is http.server.requests), as counters.
metrics() { curl -s "$HOST_URL/q/metrics" | grep -E '^(scim_phase_seconds|http_server_requests_seconds)_(sum|count)' || true; }
# phases LABEL REQUESTS: per request, the time the service spent in each phase during the last wrk run.
phases() {
  PHASES+=("$(awk -v label="$1" -v n="$2" '
    FNR == NR { before[$1] = $2; next }
    { d = $2 - before[$1]
      if ($1 ~ /^http_server_requests_seconds_sum/) { http += d }
      else if ($1 ~ /^scim_phase_seconds_(sum|count)/) {
        match($1, /phase="[^"]*"/); p = substr($1, RSTART + 7, RLENGTH - 8)
        if ($1 ~ /_sum/) { sum[p] += d } else { cnt[p] += d }
      } }
    END { line = sprintf("| %s | %.0f", label, http * 1e6 / n)
          split("auth.jwt auth.jwt.cached auth.provisioning db.acquire db.statement db.commit db.release", ps, " ")
          for (i = 1; i <= 7; i++) { p = ps[i]
            line = line sprintf(" | %s", cnt[p] > 0 ? sprintf("%.0f (%.1f×)", sum[p] * 1e6 / n, cnt[p] / n) : "—") }
          print line " |" }' "$OUT/metrics-before.txt" "$OUT/metrics-after.txt")")
}
# wrk_run LABEL URL LUA -> sets W_RPS W_P50 W_P99 W_ERR
wrk_run() {
  local label="$1" url="$2" lua="$3"
  local file="$OUT/wrk-${label//[^a-zA-Z0-9]/_}.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${WARM:-$WARM_SECONDS}s" -s "$lua" "$url" >/dev/null
  metrics >"$OUT/metrics-before.txt"
  local cpu_before
  cpu_before="$(cpu_ticks)"
  thread_ticks >"$OUT/threads-before.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$lua" "$url" >"$file"
  cpu_row "$label" "$(awk '/ requests in / {print $1}' "$file")" "$cpu_before" "$(cpu_ticks)"
  thread_ticks >"$OUT/threads-after.txt"
  thread_row "$label" "$(awk '/ requests in / {print $1}' "$file")" "$OUT/threads-before.txt" "$OUT/threads-after.txt"
  metrics >"$OUT/metrics-after.txt"
  phases "$label" "$(awk '/ requests in / {print $1}' "$file")"
  W_RPS="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$file")"
  W_P50="$(awk '/^ +50%/ {print $2}' "$file")"
  W_P99="$(awk '/^ +99%/ {print $2}' "$file")"
  W_ERR="$(awk '/Non-2xx or 3xx responses:/ {n += $5} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$file")"
  echo "[speed] $label: $W_RPS req/s, p50 $W_P50, p99 $W_P99, errors $W_ERR"
}
# pg_run LABEL SCRIPT-FILES... -> sets P_TPS P_P50 P_P99 P_ERR
pg_run() {
  local label="$1" dir="$OUT/pglog-${1//[^a-zA-Z0-9]/_}" args=()
  shift
  args+=(${PG_EXTRA[@]+"${PG_EXTRA[@]}"})
  for f in "$@"; do args+=(-f "$f"); done
  mkdir -p "$dir"
  args+=(${PG_DB:+"$PG_DB"}) # the database, last: the service's, or speed_pg for pgbench's writes
  pgbench -n -M prepared -c"$CONNECTIONS" -j2 -T"$WARM_SECONDS" "${args[@]}" >/dev/null 2>&1
  local cpu_before
  cpu_before="$(cpu_ticks)"
  (cd "$dir" && pgbench -n -M prepared -c"$CONNECTIONS" -j2 -T"$SECONDS_PER_RUN" -l "${args[@]}" \
    >"$dir/out.txt" 2>&1)
  cpu_row "pgbench $label" "$(awk '/number of transactions actually processed:/ {print $NF}' "$dir/out.txt")" \
    "$cpu_before" "$(cpu_ticks)"
  P_TPS="$(awk '/^tps = / {printf "%.0f", $3; exit}' "$dir/out.txt")"
  P_ERR="$(awk '/number of failed transactions:/ {print $5; exit}' "$dir/out.txt")"
  P_ERR="${P_ERR:-0}"
  cat "$dir"/pgbench_log.* | awk '{print $3 / 1000}' | sort -n >"$dir/lat.txt"
  local n
  n="$(wc -l <"$dir/lat.txt")"
  P_P50="$(sed -n "$(((n + 1) / 2))p" "$dir/lat.txt")ms"
  P_P99="$(sed -n "$(((n * 99 + 99) / 100))p" "$dir/lat.txt")ms"
  rm -f "$dir"/pgbench_log.*
  echo "[speed] pgbench $label: $P_TPS tx/s, p50 $P_P50, p99 $P_P99, failed $P_ERR"
}
row() { # row LABEL [with-pgbench]
  if [[ "${2:-}" == "pg" ]]; then
    local ratio
    ratio="$(awk -v a="$W_RPS" -v b="$P_TPS" 'BEGIN {printf "%.2f", a / b}')"
    [[ "$W_ERR" == "0" ]] || ratio="n/a: errors"
    ROWS+=("| $1 | $W_RPS | $W_P50 / $W_P99 | $W_ERR | $P_TPS | $P_P50 / $P_P99 | $P_ERR | **$ratio** |")
  else
    ROWS+=("| $1 | $W_RPS | $W_P50 / $W_P99 | $W_ERR | — | — | — | — |")
  fi
}

# Hold the Maven lock for the whole measurement (taken once: other people's builds queue behind it instead of
# running beside the load). Opened only now, so the service, PostgreSQL and Kafka do not inherit the descriptor.
if [[ "${SPEED_LOCK:-1}" == "1" ]]; then
  echo "[speed] waiting for $LOCK"
  exec 9>>"$LOCK"
  flock 9
  echo "[speed] measuring"
fi

# --- POST /Users (also seeds the users the reads below use) -----------------------------------------------------
export SPEED_TOKEN="$JWT" SPEED_RUN="$RANDOM"
WARM="$FIRST_WARM_SECONDS" wrk_run "POST /Users" "$HOST_URL" "$ROOT/bench/lua/post-user.lua"
# The payload (sealed values) and projection document of a user the service just wrote, bound as parameters.
PG_EXTRA=(-D "payload=$(psql -X -A -t -c "select payload::text from event where tenant_id = 'bench' and event_type = 'UserCreated' order by position desc limit 1")"
  -D "doc=$(psql -X -A -t -c "select doc::text from scim_user where tenant_id = 'bench' order by created desc limit 1")")
PG_DB=speed_pg pg_run "POST /Users" "$ROOT/bench/speed/post-user.sql"
PG_EXTRA=()
row '`POST /Users` (event + data key + userName claim + projection row, one transaction)' pg

# --- reads over the seeded users --------------------------------------------------------------------------------
psql -X -A -t -F ' ' -c "select id, user_name from scim_user where tenant_id = 'bench' order by random() limit 2000" >"$OUT/users.txt"
USERS="$(wc -l <"$OUT/users.txt")"
cut -d' ' -f1 "$OUT/users.txt" >"$OUT/ids.txt"
cut -d' ' -f2 "$OUT/users.txt" >"$OUT/names.txt"
export SPEED_IDS="$OUT/ids.txt" SPEED_NAMES="$OUT/names.txt"
# pgbench: one script file per user (at most 100 scripts), chosen at random per transaction like wrk's picks.
get_scripts=() filter_scripts=()
i=0
while read -r id name && ((i < 100)); do
  i=$((i + 1))
  sed "s/@ID@/$id/g" "$OUT/get-user.sql" >"$OUT/get-$i.sql"
  sed -e "s/@ID@/$id/g" -e "s/@NAME@/${name^^}/g" "$OUT/filter-user.sql" >"$OUT/filter-$i.sql"
  get_scripts+=("$OUT/get-$i.sql")
  filter_scripts+=("$OUT/filter-$i.sql")
done <"$OUT/users.txt"

wrk_run "GET /Users/{id} (JWT)" "$HOST_URL" "$ROOT/bench/speed/get-user.lua"
pg_run "GET /Users/{id}" "${get_scripts[@]}"
row '`GET /Users/{id}`, platform JWT (one statement: user row joined with its groups)' pg
export SPEED_TOKEN="$SLPT"
sanity=$(curl -s -w ' HTTP %{http_code}' -H "Authorization: Bearer $SLPT" "$HOST_URL/scim/v2/Users/$(head -1 "$OUT/ids.txt")")
[[ "$sanity" == *"HTTP 200" ]] || echo "[speed] WARNING: the provisioning token is refused: $sanity" >&2
wrk_run "GET /Users/{id} (slpt)" "$HOST_URL" "$ROOT/bench/speed/get-user.lua"
row '`GET /Users/{id}`, provisioning token `slpt_…` (same SQL)' pg
export SPEED_TOKEN="$JWT"
wrk_run "filter userName eq" "$HOST_URL" "$ROOT/bench/speed/filter-user.lua"
pg_run "filter userName eq" "${filter_scripts[@]}"
row '`GET /Users?filter=userName eq "…"` (two statements: count with page, then the page'"'"'s groups)' pg

# --- PATCH /Users/{id} (replace displayName and title) over the seeded users ----------------------------------
wrk_run "PATCH /Users/{id}" "$HOST_URL" "$ROOT/bench/speed/patch-user.lua"
# pgbench: the same statements (bench/speed/patch-user.sql) on the users pgbench's own POST run created (tenant
# bench-pg, database speed_pg), with the sealed payload of a UserPatched event and a projection document the
# service just wrote; the event goes to a fresh stream so that transactions never collide on a stream version, as
# the service's do not.
patch_scripts=()
i=0
while read -r id && ((i < 100)); do
  i=$((i + 1))
  sed "s/@ID@/$id/g" "$ROOT/bench/speed/patch-user.sql" >"$OUT/patch-$i.sql"
  patch_scripts+=("$OUT/patch-$i.sql")
done < <(psql -X -A -t -d speed_pg -c "select id from scim_user where tenant_id = 'bench-pg' order by random() limit 100")
PG_EXTRA=(-D "payload=$(psql -X -A -t -c "select payload::text from event where tenant_id = 'bench' and event_type = 'UserPatched' order by position desc limit 1")"
  -D "doc=$(psql -X -A -t -c "select doc::text from scim_user where tenant_id = 'bench' order by last_modified desc limit 1")")
PG_DB=speed_pg pg_run "PATCH /Users/{id}" "${patch_scripts[@]}"
PG_EXTRA=()
row '`PATCH /Users/{id}` (read, key, last state and hash; event + projection update, one transaction)' pg
wrk_run "ServiceProviderConfig" "$HOST_URL/scim/v2/ServiceProviderConfig" "$ROOT/bench/speed/get-plain.lua"
row '`GET /scim/v2/ServiceProviderConfig` (JWT check, no database)'
wrk_run "health live" "$HOST_URL/q/health/live" "$ROOT/bench/speed/get-plain.lua"
row '`GET /q/health/live` (no auth, no database)'

# --- report -----------------------------------------------------------------------------------------------------
PGSET="$(psql -X -A -t -c "select 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes')")"
{
  echo "Speed run of $(date -u +%Y-%m-%dT%H:%MZ), code $CODE_VERSION: packaged quarkus-run.jar, prod profile, Kafka relay on."
  echo
  echo "Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr), $(java -version 2>&1 | head -1); $PGSET. Service, PostgreSQL, Kafka, wrk and pgbench share these cores."
  echo "Load: wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency after a ${WARM_SECONDS}s warm-up (${FIRST_WARM_SECONDS}s before the first); pgbench -M prepared -c$CONNECTIONS -j2 -T$SECONDS_PER_RUN, same statements; $USERS users read at random."
  echo
  echo "| request | service req/s | p50 / p99 | errors | pgbench tx/s | p50 / p99 | failed | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Where the time goes: µs per request measured inside the service (ops.Phases timers, summed over concurrent"
  echo "requests; in brackets how many times per request the phase ran). \"in service\" is http.server.requests."
  echo
  echo "| run | in service | auth.jwt | auth.jwt.cached | auth.provisioning | db.acquire | db.statement | db.commit | db.release |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${PHASES[@]}"
  echo
  echo "CPU per request (ms of CPU time, from /proc: user + system) by process during each measured run; pgbench's"
  echo "own CPU and wrk's are in \"machine\" only. Busy = the machine's non-idle share of both cores."
  echo
  echo "| run | service JVM | Kafka (local stack JVM) | PostgreSQL | machine | busy |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${CPU[@]}"
  echo
  echo "The service's CPU per request by thread (ms; the six largest groups; from /proc/<pid>/task)."
  echo
  echo "| run | threads |"
  echo "|---|---|"
  printf '%s\n' "${THREADS[@]}"
} | tee "$REPORT"
echo "[speed] report: $REPORT; captured statements: $OUT/statements.log"
