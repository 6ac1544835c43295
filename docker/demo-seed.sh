#!/bin/sh
# The demo profile's one-off seed: waits for frontdoor and the sandbox, makes the
# first admin (the password from FRONTDOOR_ADMIN_PASSWORD, never the command
# line), then the demo property through the real API (scripts/lib/seed-demo.mjs),
# and writes /out/demo.json. Runs again harmlessly: a seeded database is left alone.
set -eu
wait_for() {
  i=0
  until curl -fsS -o /dev/null "$1"; do
    i=$((i + 1))
    [ "$i" -lt 180 ] || { echo "seed: $1 did not answer"; exit 1; }
    sleep 1
  done
}
wait_for http://frontdoor:8080/readyz
wait_for http://bmx-sandbox:8090/_sandbox/requests
if [ -s /out/demo.json ] && curl -fsS -o /dev/null -X POST http://frontdoor:8080/v1/auth/login \
     -H 'content-type: application/json' \
     -d "{\"email\":\"admin@demo.frontdoor.test\",\"password\":\"$FRONTDOOR_ADMIN_PASSWORD\"}"; then
  echo "seed: the demo is already seeded (/out/demo.json)"
  exit 0
fi
frontdoor create-admin --email admin@demo.frontdoor.test
node /opt/frontdoor/seed-demo.mjs http://frontdoor:8080 "$FRONTDOOR_DATABASE_URL" \
  admin@demo.frontdoor.test "$FRONTDOOR_ADMIN_PASSWORD" /out/demo.json \
  http://bmx-sandbox:8090 "$FRONTDOOR_BMX_PLACEHOLDER_EMAIL_DOMAIN"
echo "seed: the demo is ready; accounts and keys in .frontdoor/demo.json"
