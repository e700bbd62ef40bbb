# Shared by bench/relay.sh, bench/groups.sh and bench/rebuild.sh (sourced after bench/lib.sh, not run): the
# packaged service in the prod profile the way bench/speed.sh drives it.
#
#   packaged_need CMD PACKAGE      installs the Debian package when CMD is missing
#   packaged_build VAR_PREFIX      ./mvnw package -DskipTests under the Maven lock unless ${VAR_PREFIX}_SKIP_BUILD=1
#   packaged_start NAME            bench_init NAME (with BENCH_SNAPSHOT=0) + deploy/run-local.sh --packaged + PG* env
#   packaged_mint TENANT SCOPES [SUBJECT]  a JWT signed with the throwaway packaged key (azp SUBJECT-client)
#   packaged_tenant TENANT [JSON]  registers TENANT above the admission limit (JSON: more settings members, e.g.
#                                  '"groupPatchNoContentClients":["x"]'); sets ADMIN_TOKEN and JWT
#   packaged_lock NAME             holds /tmp/scim-maven.lock (fd 9) until the script exits
#   packaged_metrics               the service's /q/metrics, Prometheus text
#   packaged_machine               one line: cores, CPU, RAM, kernel, Java, PostgreSQL's durability settings
LOCK=/tmp/scim-maven.lock

packaged_need() {
  if ! command -v "$1" >/dev/null; then
    echo "[bench] installing $2 (for $1)"
    if [[ "$(id -u)" == "0" ]]; then apt-get install -y -q "$2" >/dev/null; else sudo apt-get install -y -q "$2" >/dev/null; fi
  fi
}

packaged_build() {
  local skip="${1}_SKIP_BUILD"
  if [[ "${!skip:-0}" != "1" ]]; then
    echo "[bench] building the jar (waits for $LOCK)"
    (cd "$ROOT" && flock "$LOCK" ./mvnw -B -o -q package -DskipTests)
  fi
}

packaged_start() {
  export BENCH_SNAPSHOT=0 # the packaged jar does not live-reload: run in place
  bench_init "$1"
  bench_start_service "$ROOT/target/$1-service.log" --packaged ${PACKAGED_JVM_OPTS:-}
  bench_db_env
}

packaged_mint() {
  MINT_KEY="$ROOT/target/packaged-keys/jwt-private.pem" MINT_ISSUER="https://scim-ledger.local/packaged" \
    bash "$ROOT/deploy/mint-dev-token.sh" "$1" "$2" "${3:-dev-idp}"
}

packaged_tenant() {
  ADMIN_TOKEN="$(packaged_mint "$1" "platform:admin")"
  JWT="$(packaged_mint "$1" "scim:read scim:write")"
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"'"$1"'","settings":{"requestsPerSecond":1000000,"burst":1000000'"${2:+,$2}"'}}' "$HOST_URL/admin/tenants"
}

packaged_lock() {
  # Opened only now, so the service, PostgreSQL and Kafka do not inherit the descriptor.
  echo "[$1] waiting for $LOCK"
  exec 9>>"$LOCK"
  flock 9
  echo "[$1] measuring (holding $LOCK)"
}

packaged_metrics() { curl -s "$HOST_URL/q/metrics"; }

packaged_machine() {
  local pgset
  pgset="$(psql -X -A -t -c "select 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')")"
  echo "nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr), $(java -version 2>&1 | head -1); $pgset"
}
