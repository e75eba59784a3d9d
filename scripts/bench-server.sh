# The server benchmarks of scripts/bench.sh (sourced by it): HTTP reads against nginx, HTTP writes against
# the sqlite3 shell, import against .import / LOAD DATA, and reads at demo-data scale 1, 10 and 100.
# Each case runs beside its baseline, interleaved, RUNS times; tables show medians and ratios.
# Expects from bench.sh: $root, $bin (funeral-registry), $out (work dir), $runs, replace_section, and
# scripts/mariadb.sh sourced (for _mariadb_free_port and mariadb_start/stop).
# Everything started here is stopped by its PID; wrk runs are bounded by -d, waits by counts.

BENCH_DURATION=${BENCH_DURATION:-10s}   # one wrk run
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
# http.threads for the server (empty: the default, 16). A connection holds a worker only while its request
# is handled, and a busy connection gives its worker up whenever others wait, so 64 busy connections share
# the default 16 workers in turn.
BENCH_HTTP_THREADS=${BENCH_HTTP_THREADS:-}

# Median of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
median_of() { printf '%s\n' "$@" | median; }
# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
# Requests/s, p99 (ms) and non-2xx count of one wrk report.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
# Latency (ms) at percentile P ("50%", "99%") of one wrk --latency report.
wrk_pct() {
  awk -v p="$1" '$1 == p { v = $2
    if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
    else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 } else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 }
    print v }' "$2"
}
wrk_p99() { wrk_pct 99% "$1"; }
wrk_bad() { awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$1"; }
# Avg latency (ms) of one wrk report.
wrk_avg() {
  awk '$1 == "Latency" && !done { v = $2; done = 1
    if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
    else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
    print v }' "$1"
}

load_now() { uptime | sed 's/.*load average: //'; }

# --- the server ---------------------------------------------------------------------------------------
# srv_start DBURL LOG [--set K=V]...: sets SRV_PID SRV_PORT; waits (at most 60 s) for /readyz.
srv_start() {
  local db=$1 log=$2 i
  shift 2
  SRV_PORT=$(_mariadb_free_port)
  local -a threads=()
  [[ -z $BENCH_HTTP_THREADS ]] || threads=(--set "http.threads=$BENCH_HTTP_THREADS") # empty: the default
  "$bin" --set "db.url=$db" --set "http.port=$SRV_PORT" --set "plugins.dir=$root/plugins" \
    --set audit.run_missed_on_start=false "${threads[@]}" "$@" serve >"$log" 2>&1 &
  SRV_PID=$!
  for ((i = 0; i < 600; i++)); do
    curl -fs -o /dev/null "http://127.0.0.1:$SRV_PORT/readyz" && return 0
    if ! kill -0 "$SRV_PID" 2>/dev/null; then
      echo "bench: the server did not start; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "bench: the server did not get ready in 60 s" >&2
  srv_stop
  return 1
}
# Peak resident memory of the server so far, in MB.
srv_hwm_mb() { awk '/^VmHWM:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$SRV_PID/status"; }
# Waits (at most 60 s) until the process PID has used no CPU for half a second.
srv_drain() {
  local pid=$1 i last now
  last=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  for ((i = 0; i < 120; i++)); do
    sleep 0.5
    now=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    ((now - last <= 2)) && return 0
    last=$now
  done
}
# stop_pid PID SIGNAL: sends SIGNAL to a process this script started, KILL if it still runs after 20 s.
stop_pid() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
srv_stop() {
  stop_pid "${SRV_PID:-}" TERM
  SRV_PID=
}

# A fresh SQLite registry in DIR with demo data at SCALE and an admin; sets BENCH_DB and BENCH_TOKEN.
bench_registry() {
  local dir=$1 scale=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  BENCH_DB="sqlite3:$dir/registry.db"
  "$bin" --set "db.url=$BENCH_DB" demo-data --scale "$scale" >"$dir/demo-data.log" 2>&1
  echo "bench-password-1" | "$bin" --set "db.url=$BENCH_DB" --set auth.pbkdf2_iterations=1000 \
    user add bench --role admin --password-stdin >/dev/null
  BENCH_TOKEN=$("$bin" --set "db.url=$BENCH_DB" user token bench)
}

# --- nginx ----------------------------------------------------------------------------------------------
# nginx_start DIR: serves DIR/www on a free loopback port (NGINX_PORT), PID in NGINX_PID.
nginx_start() {
  local dir=$1 i
  NGINX_PORT=$(_mariadb_free_port)
  mkdir -p "$dir/www" "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/json json; }
  default_type application/octet-stream;
  keepalive_requests 1000;
  keepalive_timeout 10s;
  server { listen 127.0.0.1:$NGINX_PORT; root $dir/www; }
}
EOF
  nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  for ((i = 0; i < 100; i++)); do
    curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT/" 2>/dev/null && return 0
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" 2>/dev/null && return 0 # 403/404: it listens
    sleep 0.1
  done
  echo "bench: nginx did not start" >&2
  cat "$dir/logs/error.log" >&2
  return 1
}
nginx_stop() {
  stop_pid "${NGINX_PID:-}" QUIT # graceful: the master stops its workers
  NGINX_PID=
}

bench_server_cleanup() {
  srv_stop
  nginx_stop
}

section_header() {
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM;"
  echo "load average before: $1, after: $(load_now) (the machine is shared)."
}

# --- HTTP reads -----------------------------------------------------------------------------------------
bench_http() {
  local dir=$out/http load r f bare_pid bare_port
  local -a reg_rps=() reg_p99=() ngx_rps=() ngx_p99=() bare_rps=() bare_p99=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  srv_start "$BENCH_DB" "$dir/server.log"
  local id=1 url="http://127.0.0.1:$SRV_PORT/api/v1/facilities/1"
  nginx_start "$dir/nginx"
  curl -fsS -H "Authorization: Bearer $BENCH_TOKEN" "$url" -o "$dir/nginx/www/facility.json"
  bare_port=$(_mariadb_free_port)
  "$root/$build/test/bench/bare_poco" "$bare_port" "$dir/nginx/www/facility.json" >"$dir/bare.log" 2>&1 &
  bare_pid=$!
  for ((r = 0; r < 100; r++)); do curl -fs -o /dev/null "http://127.0.0.1:$bare_port/" && break; sleep 0.1; done
  for ((r = 1; r <= runs; r++)); do
    f=$dir/nginx-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "http://127.0.0.1:$NGINX_PORT/facility.json" >"$f"
    ngx_rps+=("$(wrk_rps "$f")") ngx_p99+=("$(wrk_p99 "$f")")
    f=$dir/bare-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "http://127.0.0.1:$bare_port/" >"$f"
    bare_rps+=("$(wrk_rps "$f")") bare_p99+=("$(wrk_p99 "$f")")
    f=$dir/registry-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -H "Authorization: Bearer $BENCH_TOKEN" "$url" >"$f"
    reg_rps+=("$(wrk_rps "$f")") reg_p99+=("$(wrk_p99 "$f")")
    [[ $(wrk_bad "$f") == 0 ]] || echo "bench: http run $r had $(wrk_bad "$f") errors or non-2xx answers" >&2
    echo "bench: http run $r: nginx ${ngx_rps[-1]}/s p99 ${ngx_p99[-1]} ms; bare Poco ${bare_rps[-1]}/s p99" \
      "${bare_p99[-1]} ms; registry ${reg_rps[-1]}/s p99 ${reg_p99[-1]} ms" >&2
  done
  local hwm
  hwm=$(srv_hwm_mb)
  stop_pid "$bare_pid" TERM
  nginx_stop
  srv_stop
  local nr np rr rp br bp
  nr=$(median_of "${ngx_rps[@]}") np=$(median_of "${ngx_p99[@]}")
  br=$(median_of "${bare_rps[@]}") bp=$(median_of "${bare_p99[@]}")
  rr=$(median_of "${reg_rps[@]}") rp=$(median_of "${reg_p99[@]}")
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh http\`; wrk -t2 -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency, keep-alive;"
    echo "server http.threads=${BENCH_HTTP_THREADS:-16 (the default)}; body $(stat -c %s "$dir/nginx/www/facility.json") bytes; $runs runs each, interleaved."
    echo
    echo "| server | median requests/s | median p99 (ms) | vs. nginx | runs (requests/s) |"
    echo "|---|---:|---:|---:|---|"
    echo "| nginx $(nginx -v 2>&1 | sed 's|.*/||'), static file (baseline) | $nr | $np | 1.00 | ${ngx_rps[*]} |"
    echo "| bare Poco HTTPServer, the same bytes (the framework's ceiling) | $br | $bp | $(ratio "$br" "$nr") | ${bare_rps[*]} |"
    echo "| funeral-registry \`GET /api/v1/facilities/$id\` with a token | $rr | $rp | $(ratio "$rr" "$nr") | ${reg_rps[*]} |"
    echo
    echo "Server peak RSS (VmHWM) after the runs: $hwm MB."
  } >"$out/http.md"
  replace_section http "$out/http.md"
  cat "$out/http.md"
}

# Slow clients (issue 14): the same reads as bench_http, alone and beside 200 slow heads, 200 slow bodies and
# 200 idle keep-alive connections (test/bench/SlowCrowdBench.cpp), with the server's default settings.
bench_slow() {
  local dir=$out/slow load r f crowd_pid crowd_log
  local -a alone_rps=() alone_p99=() crowd_rps=() crowd_p99=() bad=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  BENCH_HTTP_THREADS='' srv_start "$BENCH_DB" "$dir/server.log"
  local url="http://127.0.0.1:$SRV_PORT/api/v1/facilities/1" seconds=${BENCH_DURATION%s}
  for ((r = 1; r <= runs; r++)); do
    f=$dir/alone-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -H "Authorization: Bearer $BENCH_TOKEN" "$url" >"$f"
    alone_rps+=("$(wrk_rps "$f")") alone_p99+=("$(wrk_p99 "$f")") bad+=("$(wrk_bad "$f")")
    crowd_log=$dir/crowd-$r.log
    "$root/$build/test/bench/slow_crowd" "$SRV_PORT" 200 $((seconds + 2)) >"$crowd_log" 2>&1 &
    crowd_pid=$!
    for ((i = 0; i < 300; i++)); do grep -q ready "$crowd_log" && break; sleep 0.1; done
    grep -q ready "$crowd_log" || { echo "bench: the slow crowd did not open: $(cat "$crowd_log")" >&2; stop_pid "$crowd_pid" TERM; return 1; }
    f=$dir/crowd-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -H "Authorization: Bearer $BENCH_TOKEN" "$url" >"$f"
    crowd_rps+=("$(wrk_rps "$f")") crowd_p99+=("$(wrk_p99 "$f")") bad+=("$(wrk_bad "$f")")
    wait "$crowd_pid" || true
    echo "bench: slow run $r: alone ${alone_rps[-1]}/s p99 ${alone_p99[-1]} ms; beside the crowd ${crowd_rps[-1]}/s" \
      "p99 ${crowd_p99[-1]} ms ($(tail -1 "$crowd_log"))" >&2
  done
  local hwm
  hwm=$(srv_hwm_mb)
  srv_stop
  local ar ap cr cp errors
  ar=$(median_of "${alone_rps[@]}") ap=$(median_of "${alone_p99[@]}")
  cr=$(median_of "${crowd_rps[@]}") cp=$(median_of "${crowd_p99[@]}")
  errors=$(printf '%s\n' "${bad[@]}" | awk '{ n += $1 } END { print n + 0 }')
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh slow\`; \`GET /api/v1/facilities/1\` with a token,"
    echo "wrk -t2 -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency; the server's default settings; the crowd: 200 heads and"
    echo "200 bodies (Content-Length 1000000) sent a byte a second, 200 idle keep-alive connections, from 200 loopback"
    echo "addresses, reopened when the server closes them; $runs runs each, interleaved."
    echo
    echo "| reads | median requests/s | median p99 (ms) | vs. alone | runs (requests/s) |"
    echo "|---|---:|---:|---:|---|"
    echo "| alone (baseline) | $ar | $ap | 1.00 | ${alone_rps[*]} |"
    echo "| beside the 600 slow or idle connections | $cr | $cp | $(ratio "$cr" "$ar") | ${crowd_rps[*]} |"
    echo
    echo "Failed or non-2xx reads in all runs: $errors. The crowd at the end of each run: $(for ((r = 1; r <= runs; r++)); do tail -1 "$dir/crowd-$r.log"; done | paste -sd ';' -)."
    echo "Server peak RSS (VmHWM) after the runs: $hwm MB."
  } >"$out/slow.md"
  replace_section slow "$out/slow.md"
  cat "$out/slow.md"
}

# Public price pages (issue 16): a public facility's JSON and its page at /public/, signed out, beside the
# authenticated read of the same facility, in one run; the per-address limit is off (wrk is one address).
bench_public() {
  local dir=$out/public load r f id
  local -a auth_rps=() auth_p99=() json_rps=() json_p99=() page_rps=() page_p99=() bad=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  srv_start "$BENCH_DB" "$dir/server.log" --set public.requests_per_minute=0 --set "public.cache_seconds=${BENCH_PUBLIC_CACHE:-10}"
  local base="http://127.0.0.1:$SRV_PORT"
  id=$(curl -fsS "$base/api/v1/public/facilities?limit=1" | sed -n 's/^{"items":\[{"id":\([0-9]*\).*/\1/p')
  [[ -n $id ]] || { echo "bench: no operating facility in the bench registry" >&2; srv_stop; return 1; }
  local json_bytes page_bytes auth_bytes
  auth_bytes=$(curl -fsS -H "Authorization: Bearer $BENCH_TOKEN" "$base/api/v1/facilities/$id" | wc -c)
  json_bytes=$(curl -fsS "$base/api/v1/public/facilities/$id" | wc -c)
  page_bytes=$(curl -fsS "$base/public/facilities/$id" | wc -c)
  for ((r = 1; r <= runs; r++)); do
    f=$dir/auth-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -H "Authorization: Bearer $BENCH_TOKEN" \
      "$base/api/v1/facilities/$id" >"$f"
    auth_rps+=("$(wrk_rps "$f")") auth_p99+=("$(wrk_p99 "$f")") bad+=("$(wrk_bad "$f")")
    f=$dir/json-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "$base/api/v1/public/facilities/$id" >"$f"
    json_rps+=("$(wrk_rps "$f")") json_p99+=("$(wrk_p99 "$f")") bad+=("$(wrk_bad "$f")")
    f=$dir/page-$r.txt
    wrk -t2 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "$base/public/facilities/$id" >"$f"
    page_rps+=("$(wrk_rps "$f")") page_p99+=("$(wrk_p99 "$f")") bad+=("$(wrk_bad "$f")")
    echo "bench: public run $r: authenticated ${auth_rps[-1]}/s p99 ${auth_p99[-1]} ms; public JSON ${json_rps[-1]}/s" \
      "p99 ${json_p99[-1]} ms; public page ${page_rps[-1]}/s p99 ${page_p99[-1]} ms" >&2
  done
  local hwm
  hwm=$(srv_hwm_mb)
  srv_stop
  local ar ap jr jp pr pp errors
  ar=$(median_of "${auth_rps[@]}") ap=$(median_of "${auth_p99[@]}")
  jr=$(median_of "${json_rps[@]}") jp=$(median_of "${json_p99[@]}")
  pr=$(median_of "${page_rps[@]}") pp=$(median_of "${page_p99[@]}")
  errors=$(printf '%s\n' "${bad[@]}" | awk '{ n += $1 } END { print n + 0 }')
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh public\`; wrk -t2 -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency,"
    echo "keep-alive, facility $id of the demo data; public.requests_per_minute=0, public.cache_seconds=${BENCH_PUBLIC_CACHE:-10};"
    echo "$runs runs each, interleaved."
    echo
    echo "| read | body (bytes) | median requests/s | median p99 (ms) | vs. authenticated | runs (requests/s) |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| \`GET /api/v1/facilities/$id\` with a token (baseline) | $auth_bytes | $ar | $ap | 1.00 | ${auth_rps[*]} |"
    echo "| \`GET /api/v1/public/facilities/$id\`, signed out (with its prices and 24 months) | $json_bytes | $jr | $jp | $(ratio "$jr" "$ar") | ${json_rps[*]} |"
    echo "| \`GET /public/facilities/$id\`, the page | $page_bytes | $pr | $pp | $(ratio "$pr" "$ar") | ${page_rps[*]} |"
    echo
    echo "Failed or non-2xx reads in all runs: $errors. Server peak RSS (VmHWM) after the runs: $hwm MB."
  } >"$out/public.md"
  replace_section public "$out/public.md"
  cat "$out/public.md"
}

# The current prices of a registry as "facility_id|item|amount_fen|unit|displayed|bundled|area_m2|term_years",
# an even number of them (so that the two wrk threads of the write benchmark never share one).
current_prices() {
  sqlite3 "${1#sqlite3:}" "SELECT facility_id, item, amount_fen, unit, displayed, bundled, IFNULL(area_m2, ''),
    IFNULL(term_years, '') FROM price_records WHERE superseded_by IS NULL ORDER BY facility_id, item" |
    awk '{ a[NR] = $0 } END { n = NR - NR % 2; for (i = 1; i <= n; i++) print a[i] }'
}

# post_lua PAIRS: a wrk script that posts new prices for the current (facility, item) pairs in the file PAIRS
# (current_prices), each with a later effective_from than the last; BENCH_BASE_EPOCH sets the first date.
post_lua() {
  echo "P = {"
  awk -F'|' '{ attrs = ""
    if ($7 != "") attrs = "\"area_m2\":" $7
    if ($8 != "") attrs = attrs (attrs == "" ? "" : ",") "\"term_years\":" $8
    printf "{%s,\"%s\",%s,\"%s\",%s,%s,[[%s]]},\n", $1, $2, $3, $4, ($5 ? "true" : "false"), ($6 ? "true" : "false"), (attrs == "" ? "" : "\"attributes\":{" attrs "},") }' "$1"
  echo "}"
  cat <<'LUA'
-- Thread t posts pairs t, t+2, t+4, ...; a pair comes back one day later each round.
local count = 0
function setup(thread) thread:set("tid", count); count = count + 1 end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
local n = 0
function request()
  local k = tid + 2 * n
  n = n + 1
  local p = P[(k % #P) + 1]
  local date = os.date("!%Y-%m-%d", base + math.floor(k / #P) * 86400)
  local body = string.format('{"facility_id":%d,"item":"%s","amount_fen":%d,"unit":"%s","effective_from":"%s",' ..
    '"displayed":%s,"bundled":%s,%s"source":"inspection","note":"bench"}', p[1], p[2], p[3], p[4], date, p[5], p[6], p[7])
  return wrk.format(nil, "/api/v1/prices", nil, body)
end
LUA
}

# --- HTTP writes ----------------------------------------------------------------------------------------
# wrk posts new prices for the current (facility, item) pairs, each with a later effective_from than the
# last (so every one is valid and supersedes the one before), against the same rows inserted through the
# sqlite3 shell, one transaction each, WAL with synchronous=FULL as the server sets it.
bench_writes() {
  local dir=$out/writes load r f n=${WRITE_BASELINE_ROWS:-2000} conns=${BENCH_WRITE_CONNECTIONS:-8}
  local -a reg=() cli=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  current_prices "$BENCH_DB" >"$dir/pairs.txt"
  sqlite3 "$dir/db/registry.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  cp "$dir/db/registry.db" "$dir/cli-template.db"
  post_lua "$dir/pairs.txt" >"$dir/post.lua"
  srv_start "$BENCH_DB" "$dir/server.log"
  local t0 t1
  for ((r = 1; r <= runs; r++)); do
    # sqlite3 shell: per row one transaction that closes the current price and inserts the new one.
    cp "$dir/cli-template.db" "$dir/cli.db"
    rm -f "$dir/cli.db-wal" "$dir/cli.db-shm"
    awk -F'|' -v n="$n" -v r="$r" 'BEGIN { print "PRAGMA journal_mode=WAL;"; print "PRAGMA synchronous=FULL;" }
      { p[NR] = $0 }
      END { for (k = 0; k < n; k++) { split(p[k % NR + 1], f, "|"); d = sprintf("%04d-%02d-%02d", 2100 + r, 1 + int(k / NR) % 12, 1 + int(k / NR / 12) % 28)
        print "BEGIN;"
        printf "UPDATE price_records SET effective_to = date(\x27%s\x27, \x27-1 day\x27), superseded_by = -1 WHERE facility_id = %s AND item = \x27%s\x27 AND superseded_by IS NULL;\n", d, f[1], f[2]
        printf "INSERT INTO price_records (facility_id, item, amount_fen, unit, effective_from, displayed, bundled, area_m2, term_years, source, note, recorded_by, created_at) VALUES (%s, \x27%s\x27, %s, \x27%s\x27, \x27%s\x27, %s, %s, %s, %s, \x27inspection\x27, \x27bench\x27, \x27bench\x27, strftime(\x27%%Y-%%m-%%dT%%H:%%M:%%fZ\x27));\n", f[1], f[2], f[3], f[4], d, f[5], f[6], (f[7] == "" ? "NULL" : f[7]), (f[8] == "" ? "NULL" : f[8])
        print "UPDATE price_records SET superseded_by = last_insert_rowid() WHERE superseded_by = -1;"
        print "COMMIT;" } }' "$dir/pairs.txt" >"$dir/cli.sql"
    t0=$(date +%s.%N)
    sqlite3 "$dir/cli.db" <"$dir/cli.sql" >/dev/null
    t1=$(date +%s.%N)
    cli+=("$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", n / (b - a) }')")
    f=$dir/registry-$r.txt
    BENCH_TOKEN=$BENCH_TOKEN BENCH_BASE_EPOCH=$(date -u -d "$((2025 + 10 * r))-01-01" +%s) \
      wrk -t2 -c"$conns" -d"$BENCH_DURATION" --timeout 10s --latency -s "$dir/post.lua" "http://127.0.0.1:$SRV_PORT" >"$f"
    reg+=("$(awk -v rps="$(wrk_rps "$f")" -v bad="$(wrk_bad "$f")" -v all="$(awk '/requests in/ { print $1 }' "$f")" \
      'BEGIN { printf "%.1f\n", (all > 0 ? rps * (all - bad) / all : 0) }')")
    [[ $(wrk_bad "$f") == 0 ]] || echo "bench: writes run $r: $(wrk_bad "$f") errors or non-2xx answers (not counted)" >&2
    echo "bench: writes run $r: sqlite3 shell ${cli[-1]}/s, registry ${reg[-1]}/s" >&2
  done
  local p99 hwm
  p99=$(for ((r = 1; r <= runs; r++)); do wrk_p99 "$dir/registry-$r.txt"; done | median)
  hwm=$(srv_hwm_mb)
  srv_stop
  local cm rm_
  cm=$(median_of "${cli[@]}") rm_=$(median_of "${reg[@]}")
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh writes\`; the server with the bundled plugins"
    echo "(\`plugins/\`), wrk -t2 -c$conns; the sqlite3 shell runs $n rows per run; $runs runs each, interleaved."
    echo
    echo "| writer | median writes/s | vs. sqlite3 shell | runs (writes/s) |"
    echo "|---|---:|---:|---|"
    echo "| sqlite3 shell, one transaction per row (baseline) | $cm | 1.00 | ${cli[*]} |"
    echo "| funeral-registry \`POST /api/v1/prices\` (2xx only) | $rm_ | $(ratio "$rm_" "$cm") | ${reg[*]} |"
    echo
    echo "Server: median p99 $p99 ms; peak RSS (VmHWM) $hwm MB."
  } >"$out/writes.md"
  replace_section writes "$out/writes.md"
  cat "$out/writes.md"
}

# --- plugins in sandbox processes (issue 13) ------------------------------------------------------------
# POST /api/v1/prices with the bundled plugins from one client (wrk -t1 -c1: the latency of one write, not
# of a queue), against the same registry served with plugins.isolation=process and =thread in turn, one
# server at a time, interleaved. Then the hostile plugin of the API tests (test/api/plugins/yanqing/
# c_library.lua, beside the bundled plugins): each of its cases posted once per run, in validate and in
# checks, timed from the call to the answer (which, for checks, carries the error finding), and the server's
# peak RSS after them all.
bench_sandbox() {
  local dir=$out/sandbox load r f iso year=2040
  local -A p50=() p99=() rps=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  current_prices "$BENCH_DB" >"$dir/pairs.txt"
  post_lua "$dir/pairs.txt" >"$dir/post.lua"
  for ((r = 1; r <= runs; r++)); do
    for iso in process thread; do
      srv_start "$BENCH_DB" "$dir/server-$iso.log" --set "plugins.isolation=$iso"
      f=$dir/$iso-$r.txt
      year=$((year + 5))
      BENCH_TOKEN=$BENCH_TOKEN BENCH_BASE_EPOCH=$(date -u -d "$year-01-01" +%s) \
        wrk -t1 -c1 -d"$BENCH_DURATION" --timeout 10s --latency -s "$dir/post.lua" "http://127.0.0.1:$SRV_PORT" >"$f"
      srv_stop
      [[ $(wrk_bad "$f") == 0 ]] || echo "bench: sandbox run $r ($iso): $(wrk_bad "$f") errors or non-2xx answers" >&2
      p50[$iso]+="$(wrk_pct 50% "$f") " p99[$iso]+="$(wrk_p99 "$f") " rps[$iso]+="$(wrk_rps "$f") "
      echo "bench: sandbox run $r ($iso): p50 $(wrk_pct 50% "$f") ms, p99 $(wrk_p99 "$f") ms, $(wrk_rps "$f") writes/s" >&2
    done
  done

  # The hostile cases, on a facility of Yanqing (the plugin's district).
  mkdir -p "$dir/plugins"
  cp -r "$root/plugins/." "$dir/plugins/"
  cp "$root/test/api/plugins/yanqing/c_library.lua" "$dir/plugins/yanqing/"
  local pair fid item unit limit_ms
  pair=$(sqlite3 "${BENCH_DB#sqlite3:}" "SELECT p.facility_id, p.item, p.unit FROM price_records p JOIN facilities f ON
    f.id = p.facility_id WHERE p.superseded_by IS NULL AND f.district = '110119' AND p.item = 'basic.cremation' LIMIT 1")
  IFS='|' read -r fid item unit <<<"$pair"
  limit_ms=$(awk -F' *= *' '$1 == "plugins.time_limit_ms" { print $2 }' "$root/etc/registry.properties")
  srv_start "$BENCH_DB" "$dir/server-hostile.log" --set "plugins.dir=$dir/plugins"
  local -A took=()
  local hook fen code t day=0 errors body
  local -a failures=()
  for ((r = 1; r <= runs; r++)); do
    for hook in validate checks; do
      for fen in 11111 22222 33333 44444; do
        day=$((day + 1))
        body=$(printf '{"facility_id":%s,"item":"%s","amount_fen":%s,"unit":"%s","effective_from":"%s","displayed":true,"bundled":false,"source":"inspection","note":"%s"}' \
          "$fid" "$item" "$fen" "$unit" "$(date -u -d "2090-01-01 + $day days" +%F)" "$hook")
        read -r code t < <(curl -s -o "$dir/hostile.json" -w '%{http_code} %{time_total}\n' -X POST \
          -H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' --data "$body" \
          "http://127.0.0.1:$SRV_PORT/api/v1/prices")
        errors=$(grep -o '"plugin":"yanqing.api-test-c-library","rule":"[^"]*","severity":"error"' "$dir/hostile.json" | wc -l || true)
        if [[ $code != 201 ]] || { [[ $hook == checks ]] && ((errors != 1)); }; then
          failures+=("$hook $fen: HTTP $code, $errors error findings")
        fi
        took[$hook-$fen]+="$t "
      done
    done
  done
  local hwm
  hwm=$(srv_hwm_mb)
  srv_stop
  ((${#failures[@]} == 0)) || echo "bench: sandbox hostile cases not contained as expected: ${failures[*]}" >&2

  local what
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh sandbox\`; \`POST /api/v1/prices\` with the bundled"
    echo "plugins, wrk -t1 -c1 -d$BENCH_DURATION --latency (one client: each write's own latency), the same registry served"
    echo "with each isolation in turn, $runs runs each, interleaved."
    echo
    echo "| plugins.isolation | median p50 (ms) | median p99 (ms) | median writes/s | runs (p50/p99 ms) |"
    echo "|---|---:|---:|---:|---|"
    for iso in thread process; do
      # shellcheck disable=SC2086
      echo "| $iso | $(median_of ${p50[$iso]}) | $(median_of ${p99[$iso]}) | $(median_of ${rps[$iso]}) | $(paste -d/ <(tr ' ' '\n' <<<"${p50[$iso]}" | sed '/^$/d') <(tr ' ' '\n' <<<"${p99[$iso]}" | sed '/^$/d') | tr '\n' ' ') |"
    done
    echo
    # shellcheck disable=SC2086
    echo "- process ÷ thread: p50 **$(ratio "$(median_of ${p50[process]})" "$(median_of ${p50[thread]})")×**, p99 **$(ratio "$(median_of ${p99[process]})" "$(median_of ${p99[thread]})")×** (target: within 1.10×)"
    echo
    echo "Hostile plugin (\`test/api/plugins/yanqing/c_library.lua\`), plugins.time_limit_ms = $limit_ms, one \`POST /api/v1/prices\`"
    echo "per case and run; seconds from the call to the answer (target: the limit + 1 s):"
    echo
    echo "| case | hook | median s | max s | runs (s) |"
    echo "|---|---|---:|---:|---|"
    for hook in validate checks; do
      for fen in 11111 22222 33333 44444; do
        case $fen in
          11111) what="plain \`string.find\` of a 1 MiB needle (memcmp)" ;;
          22222) what="\`table.remove\` with \`__len\` = maxinteger" ;;
          33333) what="\`string.find\` with a 10 000-character class" ;;
          44444) what="finding details: one 8 MiB string under 120 keys" ;;
        esac
        # shellcheck disable=SC2086
        echo "| $what | $hook | $(median_of ${took[$hook-$fen]}) | $(printf '%s\n' ${took[$hook-$fen]} | sort -g | tail -1) | ${took[$hook-$fen]}|"
      done
    done
    echo
    echo "Server peak RSS (VmHWM) after all hostile calls: **$hwm MB** (target < 200 MB); every write stored (201),"
    echo "every checks case answered with its error finding: $( ((${#failures[@]} == 0)) && echo yes || echo "NO: ${failures[*]}")."
  } >"$out/sandbox.md"
  replace_section sandbox "$out/sandbox.md"
  cat "$out/sandbox.md"
}

# --- import ---------------------------------------------------------------------------------------------
# import_csv PAIRS ROWS YEAR FILE: ROWS price rows cycling over the current pairs, each pair one day later
# each round, from YEAR-01-01 on (every run a later YEAR, so each run's rows supersede the last run's).
import_csv() {
  awk -F'|' -v n="$2" -v year="$3" '{ p[NR] = $0 }
    END { print "facility_id,item,amount_fen,unit,effective_from,displayed,bundled,area_m2,term_years,source"
      for (k = 0; k < n; k++) { split(p[k % NR + 1], f, "|"); day = int(k / NR)
        printf "%s,%s,%s,%s,%04d-%02d-%02d,%s,%s,%s,%s,import\n", f[1], f[2], f[3], f[4], year + int(day / 336), 1 + int(day / 28) % 12, 1 + day % 28, f[5], f[6], f[7], f[8] } }' "$1" >"$4"
}
# Seconds taken by a command (its output to the log file LOG), or "fail".
# timed LOG CMD...: runs CMD (output to LOG), prints its wall seconds ("fail" if it failed); its peak
# resident memory in MB goes to LOG.rss (GNU time's %M).
timed() {
  local log=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f '%M' -o "$log.rss" "$@" >"$log" 2>&1; then
    echo "bench: failed: $* (log $log):" >&2
    tail -5 "$log" >&2
    echo fail
    return 0
  fi
  t1=$(date +%s.%N)
  awk '{ printf "%.0f\n", $1 / 1024 }' "$log.rss" >"$log.rss.mb"
  mv "$log.rss.mb" "$log.rss"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}
rows_per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s == "fail" || s <= 0) print "fail"; else printf "%.0f\n", n / s }'; }

BARE_PRICE_COLUMNS="facility_id INTEGER, item VARCHAR(64), amount_fen INTEGER, unit VARCHAR(32), effective_from CHAR(10),
  displayed INTEGER, bundled INTEGER, area_m2 REAL, term_years INTEGER, source VARCHAR(20)"

bench_import() {
  local dir=$out/import load r n=${IMPORT_ROWS:-1000000} csv
  local -a sq=() sqb=() my=() myb=() sq_rss=() my_rss=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  current_prices "$BENCH_DB" >"$dir/pairs.txt"
  local my_url="mysql://$MARIADB_TEST_USER:$MARIADB_TEST_PASSWORD@127.0.0.1:$MARIADB_PORT/bench_import"
  local -a my_cli=(mariadb --no-defaults --socket="$MARIADB_SOCKET" -u"$MARIADB_TEST_USER" -p"$MARIADB_TEST_PASSWORD")
  "${my_cli[@]}" -e "DROP DATABASE IF EXISTS bench_import; CREATE DATABASE bench_import CHARACTER SET utf8mb4;
    DROP DATABASE IF EXISTS bench_bare; CREATE DATABASE bench_bare CHARACTER SET utf8mb4;"
  "$bin" --set "db.url=$my_url" demo-data --scale 1 >"$dir/mysql-demo-data.log" 2>&1
  # The same facilities and prices on both backends (demo data is seeded): one CSV serves both.
  for ((r = 1; r <= runs; r++)); do
    csv=$dir/prices-$r.csv
    import_csv "$dir/pairs.txt" "$n" $((2030 + 10 * r)) "$csv"
    echo "bench: import run $r ($n rows)" >&2
    rm -f "$dir/bare.db"*
    sqlite3 "$dir/bare.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE prices ($BARE_PRICE_COLUMNS);" >/dev/null
    sqb+=("$(rows_per_s "$n" "$(timed "$dir/sqlite-bare.log" sqlite3 "$dir/bare.db" ".import --csv --skip 1 $csv prices")")")
    sq+=("$(rows_per_s "$n" "$(timed "$dir/sqlite-import.log" "$bin" --set "db.url=$BENCH_DB" import prices "$csv")")")
    sq_rss+=("$(cat "$dir/sqlite-import.log.rss" 2>/dev/null || echo fail)")
    "${my_cli[@]}" bench_bare -e "DROP TABLE IF EXISTS prices; CREATE TABLE prices ($BARE_PRICE_COLUMNS) ENGINE=InnoDB;"
    myb+=("$(rows_per_s "$n" "$(timed "$dir/mysql-bare.log" "${my_cli[@]}" --local-infile=1 bench_bare -e \
      "LOAD DATA LOCAL INFILE '$csv' INTO TABLE prices FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n' IGNORE 1 LINES
       (facility_id, item, amount_fen, unit, effective_from, displayed, bundled, @area, @term, source)
       SET area_m2 = NULLIF(@area, ''), term_years = NULLIF(@term, '')")")")
    my+=("$(rows_per_s "$n" "$(timed "$dir/mysql-import.log" "$bin" --set "db.url=$my_url" import prices "$csv")")")
    my_rss+=("$(cat "$dir/mysql-import.log.rss" 2>/dev/null || echo fail)")
    echo "bench: import run $r: SQLite .import ${sqb[-1]}/s, registry ${sq[-1]}/s (peak RSS ${sq_rss[-1]} MB);" \
      "MariaDB LOAD DATA ${myb[-1]}/s, registry ${my[-1]}/s (peak RSS ${my_rss[-1]} MB)" >&2
    rm -f "$csv"
  done
  local a b c d
  a=$(median_of "${sqb[@]}") b=$(median_of "${sq[@]}")
  c=$(median_of "${myb[@]}") d=$(median_of "${my[@]}")
  {
    section_header "$load"
    echo "MariaDB $(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1)."
    echo "Command: \`RUNS=$runs IMPORT_ROWS=$n scripts/bench.sh import\`; $n rows a run, $runs runs, each case beside its baseline."
    echo
    echo "| backend | loader | median rows/s | vs. baseline | runs (rows/s) |"
    echo "|---|---|---:|---:|---|"
    echo "| SQLite | sqlite3 shell \`.import\` into a bare table (baseline) | $a | 1.00 | ${sqb[*]} |"
    echo "| SQLite | \`funeral-registry import prices\` | $b | $(ratio "$b" "$a") | ${sq[*]} |"
    echo "| MariaDB | \`LOAD DATA LOCAL INFILE\` into a bare table (baseline) | $c | 1.00 | ${myb[*]} |"
    echo "| MariaDB | \`funeral-registry import prices\` | $d | $(ratio "$d" "$c") | ${my[*]} |"
    echo
    echo "Peak resident memory of \`funeral-registry import prices\` (GNU time's maximum RSS), median of the runs:"
    echo "SQLite $(median_of "${sq_rss[@]}") MB (${sq_rss[*]}), MariaDB $(median_of "${my_rss[@]}") MB (${my_rss[*]})."
  } >"$out/import.md"
  replace_section import "$out/import.md"
  cat "$out/import.md"
  "${my_cli[@]}" -e "DROP DATABASE IF EXISTS bench_import; DROP DATABASE IF EXISTS bench_bare;"
}

# --- scale ----------------------------------------------------------------------------------------------
# Signs in to the web UI of the server on PORT as bench; prints the session cookie ("registry_session=...").
web_session() {
  local port=$1 jar=$2 csrf
  rm -f "$jar"
  csrf=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -fsS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "next=/" \
    --data-urlencode "username=bench" --data-urlencode "password=bench-password-1" "http://127.0.0.1:$port/login"
  awk '$6 == "registry_session" { print $6 "=" $7 }' "$jar"
}

bench_scale() {
  local dir=$out/scale load r s e f duration=${BENCH_SCALE_DURATION:-5s}
  local -a scales=(${BENCH_SCALES:-1 10 100}) names=(read district dashboard)
  local -A port=() pid=() cookie=() token=()
  load=$(load_now)
  for s in "${scales[@]}"; do
    echo "bench: scale $s: loading demo data" >&2
    bench_registry "$dir/scale-$s" "$s"
    token[$s]=$BENCH_TOKEN
    srv_start "$BENCH_DB" "$dir/server-$s.log"
    port[$s]=$SRV_PORT pid[$s]=$SRV_PID
    cookie[$s]=$(web_session "$SRV_PORT" "$dir/cookies-$s.txt")
    [[ -n ${cookie[$s]} ]] || { echo "bench: could not sign in to the web UI" >&2; return 1; }
    SRV_PID= # several servers at once here; stopped below by their PIDs
  done
  stop_scale_servers() { for s in "${scales[@]}"; do SRV_PID=${pid[$s]:-}; srv_stop; done; }
  for ((r = 1; r <= runs; r++)); do
    for s in "${scales[@]}"; do
      for e in "${names[@]}"; do
        f=$dir/$s-$e-$r.txt
        case $e in
          read) wrk -t2 -c"$BENCH_CONNECTIONS" -d"$duration" --timeout 10s --latency -H "Authorization: Bearer ${token[$s]}" \
            "http://127.0.0.1:${port[$s]}/api/v1/facilities/1" >"$f" ;;
          dashboard) wrk -t2 -c"$BENCH_CONNECTIONS" -d"$duration" --timeout 30s --latency -H "Cookie: ${cookie[$s]}" \
            "http://127.0.0.1:${port[$s]}/" >"$f" ;;
          district) wrk -t2 -c"$BENCH_CONNECTIONS" -d"$duration" --timeout 10s --latency -H "Authorization: Bearer ${token[$s]}" \
            "http://127.0.0.1:${port[$s]}/api/v1/facilities?district=110108&limit=50" >"$f" ;;
        esac
        # Requests wrk gave up on are still being answered: let the server finish them before the next run.
        srv_drain "${pid[$s]}"
        [[ $(wrk_bad "$f") == 0 ]] || echo "bench: scale $s $e run $r: $(wrk_bad "$f") errors or non-2xx answers" >&2
        echo "bench: scale $s $e run $r: $(wrk_rps "$f")/s, avg $(wrk_avg "$f") ms, p99 $(wrk_p99 "$f") ms" >&2
      done
    done
  done
  local -A hwm=()
  for s in "${scales[@]}"; do hwm[$s]=$(awk '/^VmHWM:/ { printf "%.0f\n", $2 / 1024 }' "/proc/${pid[$s]}/status"); done
  stop_scale_servers
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_SCALE_DURATION=$duration scripts/bench.sh scale\`; wrk -t2 -c$BENCH_CONNECTIONS -d$duration --latency each,"
    echo "runs interleaved across scales; one server per scale, all running at once; http.threads=$BENCH_HTTP_THREADS."
    echo "Facilities at each scale: $(for s in "${scales[@]}"; do printf '%s: %s; ' "$s" "$(sqlite3 "$dir/scale-$s/registry.db" 'SELECT COUNT(*) FROM facilities')"; done)"
    echo "dashboard = \`GET /\` of the web UI, signed in (citywide admin); district = \`GET /api/v1/facilities?district=110108&limit=50\`."
    echo
    echo "| scale | request | median requests/s | median avg latency (ms) | median p99 (ms) | avg vs. scale ${scales[0]} | timeouts or errors (all runs) | server peak RSS (MB) |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|"
    local rps avg p99 base bad
    for e in "${names[@]}"; do
      for s in "${scales[@]}"; do
        rps=$(for ((r = 1; r <= runs; r++)); do wrk_rps "$dir/$s-$e-$r.txt"; done | median)
        avg=$(for ((r = 1; r <= runs; r++)); do wrk_avg "$dir/$s-$e-$r.txt"; done | median)
        p99=$(for ((r = 1; r <= runs; r++)); do wrk_p99 "$dir/$s-$e-$r.txt"; done | median)
        bad=$(for ((r = 1; r <= runs; r++)); do wrk_bad "$dir/$s-$e-$r.txt"; done | awk '{ n += $1 } END { print n + 0 }')
        [[ $s == "${scales[0]}" ]] && base=$avg
        if [[ $rps == 0 || $rps == 0.00 ]]; then # wrk reports no latency when no request finished
          echo "| $s | $e | 0 | none finished within $duration | — | — | $bad | ${hwm[$s]} |"
        else
          echo "| $s | $e | $rps | $avg | $p99 | $(ratio "$avg" "$base") | $bad | ${hwm[$s]} |"
        fi
      done
    done
  } >"$out/scale.md"
  replace_section scale "$out/scale.md"
  cat "$out/scale.md"
}

# Metrics (issue 18): the cost of a scrape. GET /metrics beside GET /healthz (the baseline: the same server,
# no work) on one connection, with the database's counts read on every scrape (metrics.cache_seconds=0) and
# cached (10, the default), on demo-data --scale 1 after a citywide audit (its findings counted).
bench_metrics() {
  local dir=$out/metrics load cache path f findings
  local -a rows=()
  load=$(load_now)
  bench_registry "$dir/db" 1
  "$bin" --set "db.url=$BENCH_DB" --set "plugins.dir=$root/plugins" audit >"$dir/audit.log" 2>&1
  findings=$(awk '$1 == "total" { print $2 " records, " $3 " findings" }' "$dir/audit.log")
  for cache in 0 10; do
    srv_start "$BENCH_DB" "$dir/server-$cache.log" --set "metrics.cache_seconds=$cache"
    for path in healthz metrics; do
      local -a rps=() p50=() p99=()
      for ((r = 1; r <= runs; r++)); do
        f=$dir/$path-$cache-$r.txt
        wrk -t1 -c1 -d"$BENCH_DURATION" --latency "http://127.0.0.1:$SRV_PORT/$path" >"$f"
        rps+=("$(wrk_rps "$f")") p50+=("$(wrk_pct 50% "$f")") p99+=("$(wrk_p99 "$f")")
      done
      local bytes
      bytes=$(curl -fs "http://127.0.0.1:$SRV_PORT/$path" | wc -c)
      rows+=("| \`GET /$path\`, metrics.cache_seconds=$cache | $(median_of "${rps[@]}") | $(median_of "${p50[@]}") | $(median_of "${p99[@]}") | $bytes |")
    done
    srv_stop
  done
  {
    section_header "$load"
    echo "Command: \`RUNS=$runs BENCH_DURATION=$BENCH_DURATION scripts/bench.sh metrics\`; wrk -t1 -c1 -d$BENCH_DURATION --latency;"
    echo "SQLite, demo-data --scale 1 after \`funeral-registry audit\` (${findings:-its findings}); $runs runs each, medians."
    echo
    echo "| request | requests/s | p50 (ms) | p99 (ms) | body bytes |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
  } >"$out/metrics.md"
  replace_section metrics "$out/metrics.md"
  cat "$out/metrics.md"
}
