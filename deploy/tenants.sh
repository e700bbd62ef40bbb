#!/usr/bin/env bash
# The tenant registry from a shell (docs/tenants.md). Every command is one call of the /admin/tenants API and prints
# its JSON answer; every change it makes is an event in the log.
#
#   SCIM_URL          the service (default http://localhost:8080)
#   SCIM_ADMIN_TOKEN  a platform:admin token, or a scim:admin token of the tenant named (its own tenant only).
#                     Locally: SCIM_ADMIN_TOKEN=$(deploy/mint-dev-token.sh ops platform:admin operator)
#
#   deploy/tenants.sh list
#   deploy/tenants.sh create  NAME [SETTINGS_JSON]
#   deploy/tenants.sh show    NAME
#   deploy/tenants.sh set     NAME SETTINGS_JSON            e.g. '{"strictMode":true,"requestsPerSecond":50}'
#   deploy/tenants.sh suspend NAME [REASON] | resume NAME | delete NAME
#   deploy/tenants.sh token-issue  NAME LABEL SCOPES [EXPIRES_AT]   SCOPES: "scim:read scim:write"; prints the token once
#   deploy/tenants.sh token-list   NAME
#   deploy/tenants.sh token-revoke NAME TOKEN_ID
#   deploy/tenants.sh issuer-add    NAME ISSUER_JSON
#   deploy/tenants.sh issuer-remove NAME ISSUER
set -euo pipefail

url="${SCIM_URL:-http://localhost:8080}"
token="${SCIM_ADMIN_TOKEN:?set SCIM_ADMIN_TOKEN to a platform:admin (or a scim:admin token of the tenant)}"

call() { # METHOD PATH [BODY]
  local args=(-sS -X "$1" -H "Authorization: Bearer $token" -w '\n' "$url$2")
  if [[ $# -ge 3 ]]; then args+=(-H 'Content-Type: application/json' --data-binary "$3"); fi
  curl "${args[@]}"
}

json_string() { # a shell string as a JSON string (backslashes and double quotes escaped)
  local s="$1" bs='\' q='"'
  s=${s//"$bs"/"$bs$bs"}
  s=${s//"$q"/"$bs$q"}
  printf '"%s"' "$s"
}

urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ "$c" =~ [a-zA-Z0-9.~_-] ]]; then out+="$c"; else out+=$(printf '%%%02X' "'$c"); fi
  done
  printf '%s' "$out"
}

cmd="${1:-}"
shift || true
if [[ "$cmd" == list ]]; then
  call GET /admin/tenants
elif [[ "$cmd" == create ]]; then
  body="{\"name\":$(json_string "$1")"
  if [[ -n "${2:-}" ]]; then body+=",\"settings\":$2"; fi
  call POST /admin/tenants "$body}"
elif [[ "$cmd" == show ]]; then
  call GET "/admin/tenants/$1"
elif [[ "$cmd" == set ]]; then
  call PATCH "/admin/tenants/$1/settings" "$2"
elif [[ "$cmd" == suspend ]]; then
  body="{"
  if [[ -n "${2:-}" ]]; then body+="\"reason\":$(json_string "$2")"; fi
  call POST "/admin/tenants/$1/suspend" "$body}"
elif [[ "$cmd" == resume ]]; then
  call POST "/admin/tenants/$1/resume"
elif [[ "$cmd" == delete ]]; then
  call DELETE "/admin/tenants/$1"
elif [[ "$cmd" == token-issue ]]; then
  scopes=""
  for s in $3; do scopes+="${scopes:+,}$(json_string "$s")"; done
  body="{\"label\":$(json_string "$2"),\"scopes\":[$scopes]"
  if [[ -n "${4:-}" ]]; then body+=",\"expiresAt\":$(json_string "$4")"; fi
  call POST "/admin/tenants/$1/credentials" "$body}"
elif [[ "$cmd" == token-list ]]; then
  call GET "/admin/tenants/$1/credentials"
elif [[ "$cmd" == token-revoke ]]; then
  call DELETE "/admin/tenants/$1/credentials/$2"
elif [[ "$cmd" == issuer-add ]]; then
  call POST "/admin/tenants/$1/issuers" "$2"
elif [[ "$cmd" == issuer-remove ]]; then
  call DELETE "/admin/tenants/$1/issuers?issuer=$(urlencode "$2")"
else
  sed -n '2,18p' "$0" >&2
  exit 2
fi
