#!/usr/bin/env bash
# Mints a development bearer token signed with the DEV key (deploy/dev-keys/dev-jwt-private.pem).
# The service accepts that key only in the dev and test profiles; production refuses to start with it.
#
# Usage: deploy/mint-dev-token.sh [tenant] [scopes] [subject]
#   tenant  default "acme"
#   scopes  default "scim:read scim:write"  (others: audit:read, scim:admin, platform:admin)
#   subject default "dev-idp"
# Env: MINT_KEY (RSA private key PEM, default the dev key) and MINT_ISSUER (default the dev issuer) sign for another
# key and issuer, e.g. the throwaway ones of `deploy/run-local.sh --packaged` (target/packaged-keys/).
set -euo pipefail
if [[ -n "${MINT_KEY:-}" ]]; then MINT_KEY="$(realpath "$MINT_KEY")"; fi # relative to the caller, not the repo
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tenant="${1:-acme}"
scopes="${2:-scim:read scim:write}"
subject="${3:-dev-idp}"
key="${MINT_KEY:-deploy/dev-keys/dev-jwt-private.pem}"
issuer="${MINT_ISSUER:-https://scim-ledger.local/dev}"
now=$(date +%s)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","sub":"%s","azp":"%s-client","tenant":"%s","scope":"%s","iat":%d,"exp":%d}' \
  "$(json_escape "$issuer")" "$(json_escape "$subject")" "$(json_escape "$subject")" "$(json_escape "$tenant")" "$(json_escape "$scopes")" "$now" $((now + 8 * 3600)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
