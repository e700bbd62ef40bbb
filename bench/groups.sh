#!/usr/bin/env bash
# Issue 13's group bar, measured on the PACKAGED service in the prod profile: adding or removing one member of a
# group with 100,000 members has a p99 at most 1.5x the p99 of the same request on a group with 10 members.
#
#   bash bench/groups.sh                       # build the jar (through the Maven lock), start, load, measure, stop
#   GROUPS_SKIP_BUILD=1 bash bench/groups.sh   # reuse target/quarkus-app as it is
#   GROUPS_MEMBERS=20000 bash bench/groups.sh  # size of the big group (default 100000)
#   GROUPS_SECONDS=60 bash bench/groups.sh     # length of each measured run (default 30; warm-up 10 s each)
#   GROUPS_CONNECTIONS=4 bash bench/groups.sh  # concurrent PATCHes per group (default 1, see below)
#
# 1. builds and starts target/quarkus-app like bench/speed.sh (deploy/run-local.sh --packaged), registers tenant
#    "bench" above the admission limit;
# 2. creates GROUPS_MEMBERS + 1,000 users through POST /Users (wrk, 16 connections, full speed; every user is a
#    UserCreated event in the log, no shortcut); 100,000 take a few minutes at ~500-700 writes/s;
# 3. creates group "ten" with 10 members (POST /Groups) and group "big" whose members are added by PATCH
#    add in chunks of 5,000 (one GroupMembersAdded event each);
# 4. on each group, with wrk: PATCH adding one of the 1,000 spare users, then removing it again ("remove" with the
#    path members[value eq "..."]), for GROUPS_SECONDS after a 10 s warm-up, in three ways of answering (RFC 7644
#    section 3.5.2 lets the server choose 200 with the resource or 204):
#      - 204 No Content: the caller's client id is in the tenant's groupPatchNoContentClients (as Entra ID is);
#        the bar is read here: the member write itself;
#      - 200 with ?excludedAttributes=members: the group without its member list;
#      - 200 with the whole group (the default, what Okta gets): the answer carries every member, so its cost
#        grows with the group by design (100,000 members are megabytes of JSON per answer).
#    One connection by default: a group is one event stream, so concurrent writers to it take turns (a conflict is
#    retried) and their latency would measure that queue, not the group's size;
# 5. reports p50/p99/max (wrk --latency), errors, requests/s, the ratio p99(big)/p99(ten) per way of answering
#    against the bar 1.5, and where the time went (the service's ops.Phases timers) to target/groups-report.md.
#
# Holds /tmp/scim-maven.lock while measuring (the user load included). Installs wrk (Debian package) when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/packaged.sh
source "$ROOT/bench/packaged.sh"
MEMBERS="${GROUPS_MEMBERS:-100000}"
SPARE=1000
CHUNK=5000
RUN_SECONDS="${GROUPS_SECONDS:-30}"
WARM_SECONDS=10
TOGGLE_CONNECTIONS="${GROUPS_CONNECTIONS:-1}"

packaged_need wrk wrk
packaged_need psql postgresql-client
packaged_need jq jq
packaged_build GROUPS
packaged_start groups
OUT="$ROOT/target/groups"
rm -rf "$OUT"
mkdir -p "$OUT"
REPORT="$ROOT/target/groups-report.md"
# the token minted for subject "nocontent" has azp "nocontent-client": its Group PATCHes answer 204
packaged_tenant bench '"groupPatchNoContentClients":["nocontent-client"]'
JWT_204="$(packaged_mint bench "scim:read scim:write" nocontent)"
export SPEED_TOKEN="$JWT" SPEED_RUN="$RANDOM"
users() { psql -X -A -t -c "select count(*) from scim_user where tenant_id = 'bench'"; }
auth=(-H "Authorization: Bearer $JWT" -H 'Content-Type: application/scim+json')

packaged_lock groups

# --- users, through the API ------------------------------------------------------------------------------------
WANT=$((MEMBERS + SPARE))
LOAD_START=$SECONDS
have="$(users)"
rate=600
while ((have < WANT)); do
  # run wrk for about as long as the rest needs at the rate seen so far (+5 %), at least 5 s
  # (60 s at most: a warm service writes two to three times as fast as a cold one, so the rate keeps changing)
  secs="$(awk -v r="$((WANT - have))" -v rate="$rate" \
    'BEGIN {s = int(r / rate * 1.05) + 1; if (s > 60) s = 60; print (s < 5) ? 5 : s}')"
  wrk -t2 -c16 -d"${secs}s" -s "$ROOT/bench/lua/post-user.lua" "$HOST_URL" >"$OUT/wrk-users.txt"
  rate="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-users.txt")"
  have="$(users)"
  echo "[groups] $have users ($rate writes/s)"
done
LOAD_S=$((SECONDS - LOAD_START))
psql -X -A -t -c "select id from scim_user where tenant_id = 'bench' order by id limit $((MEMBERS + SPARE))" >"$OUT/ids.txt"
head -n "$MEMBERS" "$OUT/ids.txt" >"$OUT/members.txt"
tail -n "$SPARE" "$OUT/ids.txt" >"$OUT/spare.txt"

# --- the two groups ---------------------------------------------------------------------------------------------
members_json() { jq -R -s -c 'split("\n") | map(select(length > 0) | {value: .})'; }
TEN="$(head -n 10 "$OUT/members.txt" | members_json |
  jq -c '{schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "ten", members: .}' |
  curl -sf -X POST "${auth[@]}" -d @- "$HOST_URL/scim/v2/Groups" | jq -r .id)"
BIG="$(curl -sf -X POST "${auth[@]}" -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"big"}' \
  "$HOST_URL/scim/v2/Groups" | jq -r .id)"
GROUP_START=$SECONDS
split -l "$CHUNK" "$OUT/members.txt" "$OUT/chunk-"
for f in "$OUT"/chunk-*; do
  members_json <"$f" |
    jq -c '{schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{op: "add", path: "members", value: .}]}' \
      >"$f.json"
  code="$(curl -s -o "$OUT/patch.out" -w '%{http_code}' -X PATCH "${auth[@]}" --data-binary @"$f.json" "$HOST_URL/scim/v2/Groups/$BIG")"
  [[ "$code" == 20? ]] || { echo "[groups] ERROR: PATCH add chunk answered $code: $(head -c 400 "$OUT/patch.out")" >&2; exit 1; }
done
GROUP_S=$((SECONDS - GROUP_START))
count_members() { psql -X -A -t -c "select count(*) from group_membership where tenant_id = 'bench' and group_id = '$1'"; }
N_TEN="$(count_members "$TEN")"
N_BIG="$(count_members "$BIG")"
echo "[groups] group ten: $N_TEN members; group big: $N_BIG members (added in ${GROUP_S} s)"
[[ "$N_BIG" == "$MEMBERS" ]] || { echo "[groups] ERROR: the big group has $N_BIG members, not $MEMBERS" >&2; exit 1; }

# --- PATCH add one / remove one -------------------------------------------------------------------------------
ROWS=()
PHASE_ROWS=()
declare -A P99
toggle() { # toggle ANSWER GROUP-LABEL GROUP_ID SIZE TOKEN QUERY
  local answer="$1" label="$2" file="$OUT/wrk-$2-${#ROWS[@]}.txt"
  export GROUP_ID="$3" TOGGLE_IDS="$OUT/spare.txt" SPEED_TOKEN="$5" TOGGLE_QUERY="$6"
  wrk -t1 -c"$TOGGLE_CONNECTIONS" -d"${WARM_SECONDS}s" -s "$ROOT/bench/groups/toggle.lua" "$HOST_URL" >/dev/null
  packaged_metrics >"$OUT/metrics-before.txt"
  wrk -t1 -c"$TOGGLE_CONNECTIONS" -d"${RUN_SECONDS}s" --latency -s "$ROOT/bench/groups/toggle.lua" "$HOST_URL" >"$file"
  packaged_metrics >"$OUT/metrics-after.txt"
  local n rps p50 p99 max err
  n="$(awk '/ requests in / {print $1}' "$file")"
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$file")"
  p50="$(awk '/^ +50%/ {print $2}' "$file")"
  p99="$(awk '/^ +99%/ {print $2}' "$file")"
  max="$(awk '/^ +Latency / {print $4}' "$file")"
  err="$(awk '/Non-2xx or 3xx responses:/ {n += $5} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$file")"
  P99[$label]="$(awk -v v="$p99" 'BEGIN {if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; print v}')"
  ROWS+=("| $answer | $label | $4 | $n | $rps | $p50 | **$p99** | $max | $err |")
  PHASE_ROWS+=("$(awk -v n="$n" -v label="$answer, $label" -f "$ROOT/bench/phases.awk" "$OUT/metrics-before.txt" "$OUT/metrics-after.txt")")
  echo "[groups] $answer, $label ($4 members): $n requests, $rps/s, p50 $p50, p99 $p99, max $max, errors $err"
}
RATIOS=()
measure() { # measure ANSWER TOKEN QUERY
  toggle "$1" ten "$TEN" "$N_TEN" "$2" "$3"
  toggle "$1" big "$BIG" "$N_BIG" "$2" "$3"
  local ratio verdict
  ratio="$(awk -v a="${P99[big]}" -v b="${P99[ten]}" 'BEGIN {printf "%.2f", a / b}')"
  verdict="$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "met" : "NOT met"}')"
  RATIOS+=("| $1 | ${P99[ten]} ms | ${P99[big]} ms | **$ratio** | **$verdict** |")
}
measure "204 No Content" "$JWT_204" ""
measure "200, excludedAttributes=members" "$JWT" "?excludedAttributes=members"
measure "200 with the whole group" "$JWT" ""

{
  echo "Group run of $(date -u +%Y-%m-%dT%H:%MZ), code $CODE_VERSION: packaged quarkus-run.jar, prod profile, Kafka relay on."
  echo
  echo "Machine: $(packaged_machine). Service, PostgreSQL, Kafka and wrk share these cores."
  echo "Set-up: $have users by POST /Users in ${LOAD_S} s; group \"big\" filled by PATCH add in chunks of $CHUNK in ${GROUP_S} s."
  echo "Load: wrk -t1 -c$TOGGLE_CONNECTIONS -d${RUN_SECONDS}s --latency after a ${WARM_SECONDS}s warm-up, PATCH alternately adding one spare user and removing it."
  echo
  echo "| answer | group | members | requests | req/s | p50 | p99 | max | errors |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "| answer | p99 at $N_TEN members | p99 at $N_BIG members | ratio | bar ≤ 1.5 |"
  echo "|---|---:|---:|---:|---|"
  printf '%s\n' "${RATIOS[@]}"
  echo
  echo "Where the time goes: µs per request inside the service (ops.Phases timers; in brackets how many times per request)."
  echo
  echo "| answer, group | in service | db.acquire | db.statement | db.commit | db.release |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${PHASE_ROWS[@]}"
} | tee "$REPORT"
echo "[groups] report: $REPORT; raw: $OUT/"
