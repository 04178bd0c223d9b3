#!/bin/sh
# The page is rendered per request so a changed environment (a new revision) or new database
# records show up without caching. Values are HTML-escaped; secrets are only ever named.

esc() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"
}

row() {
  printf '<tr><th>%s</th><td id="%s">%s</td></tr>\n' "$1" "$1" "$(esc "$2")"
}

printf 'Content-Type: text/html; charset=utf-8\r\n\r\n'
title="${APP_TITLE:-ksad sample app}"
cat <<HTML
<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>$(esc "$title")</title></head>
<body>
<h1>$(esc "$title")</h1>
<p class="welcome">$(esc "${WELCOME_MESSAGE:-}")</p>
<table>
HTML
row APP_TITLE "${APP_TITLE:-}"
row APP_VERSION "${APP_VERSION:-}"
row REGION_NAME "${REGION_NAME:-}"
row REGION_CODE "${REGION_CODE:-}"
row WELCOME_MESSAGE "${WELCOME_MESSAGE:-}"
echo '</table>'

# Only names: proves a secret reached the container without ever showing its value.
hidden=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | grep -E 'SECRET|PASSWORD|TOKEN|KEY' | sort | tr '\n' ' ')
printf '<p class="secrets">Secrets provided (values hidden): %s</p>\n' "$(esc "${hidden:-none}")"

if [ -n "${DB_HOST:-}" ]; then
  db="${DB_HOST}:${DB_PORT:-5432}"
  printf '<h2>Records from %s</h2>\n' "$(esc "$db")"
  # timeout(1), not wget -T: busybox 1.35's static wget crashes (SIGSEGV) when -T is given.
  if records=$(timeout 5 wget -q -O - "http://$db/records" 2>/dev/null); then
    printf '<pre id="records">%s</pre>\n' "$(esc "$records")"
  else
    printf '<p id="records-error">database %s is unreachable</p>\n' "$(esc "$db")"
  fi
fi
echo '</body></html>'
