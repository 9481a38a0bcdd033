#!/usr/bin/env bash
# bench-feed.sh measures how fast a running kdigest serves /feed.atom
# (plain, gzip and the 304 path) against nginx serving the same bytes as a
# static file on loopback, with wrk. Usage:
#
#   feed/web/testdata/bench-feed.sh http://127.0.0.1:18081
#
# Needs curl, nginx and wrk (apt-get install -y nginx wrk). It starts nginx
# on a free 127.0.0.1 port from a temp folder and stops it on exit.
# Settings: WRK_ARGS (default "-t2 -c32 -d5s"), ROUNDS (default 3).
set -euo pipefail

base=${1:?usage: bench-feed.sh KDIGEST_BASE_URL}
base=${base%/}
wrk_args=${WRK_ARGS:--t2 -c32 -d5s}
rounds=${ROUNDS:-3}
for tool in curl nginx wrk gzip python3; do
	command -v "$tool" >/dev/null || { echo "bench-feed: $tool is missing (apt-get install -y nginx wrk)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/bench-feed.XXXXXX)
nginx_conf=$tmp/nginx.conf
stop() {
	if [[ -f $tmp/nginx.pid ]]; then
		nginx -p "$tmp" -c "$nginx_conf" -s stop 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap stop EXIT

# header URL NAME [curl args...] prints one response header's value.
header() {
	local url=$1 name=$2
	shift 2
	curl -fsS -o /dev/null -D - "$@" "$url" | tr -d '\r' | awk -v n="$(echo "$name" | tr A-Z a-z)" \
		'{ split($0, kv, ": "); if (tolower(kv[1]) == n) { sub(/^[^:]*: /, ""); print; exit } }'
}
# status URL [curl args...] prints the HTTP status code.
status() {
	local url=$1
	shift
	curl -sS -o /dev/null -w '%{http_code}' "$@" "$url"
}

mkdir -p "$tmp/www" "$tmp/logs"
curl -fsS "$base/feed.atom" -o "$tmp/www/feed.atom"
gzip -9 -k -n "$tmp/www/feed.atom"
touch -r "$tmp/www/feed.atom" "$tmp/www/feed.atom.gz"
chmod -R a+rX "$tmp"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user_line=""
[[ $(id -u) == 0 ]] && user_line="user root;"
cat >"$nginx_conf" <<CONF
$user_line
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $tmp/body;
	proxy_temp_path $tmp/proxy;
	fastcgi_temp_path $tmp/fastcgi;
	uwsgi_temp_path $tmp/uwsgi;
	scgi_temp_path $tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		root $tmp/www;
		etag on;
		gzip_static on;
		gzip_vary on;
		location = /feed.atom {
			types { }
			default_type "application/atom+xml; charset=utf-8";
			add_header Cache-Control "public, max-age=300";
		}
	}
}
CONF
nginx -p "$tmp" -c "$nginx_conf"
for _ in $(seq 50); do
	[[ $(status "http://127.0.0.1:$port/feed.atom" 2>/dev/null) == 200 ]] && break
	sleep 0.1
done
ngx=http://127.0.0.1:$port/feed.atom
kd=$base/feed.atom

cmp -s "$tmp/www/feed.atom" <(curl -fsS "$ngx") || { echo "bench-feed: nginx serves other bytes" >&2; exit 1; }
kd_etag=$(header "$kd" ETag)
ngx_etag=$(header "$ngx" ETag)
for check in "$kd|$kd_etag|" "$ngx|$ngx_etag|"; do
	IFS='|' read -r url tag _ <<<"$check"
	code=$(status "$url" -H "If-None-Match: $tag")
	[[ $code == 304 ]] || { echo "bench-feed: $url answers $code to If-None-Match $tag, want 304" >&2; exit 1; }
	enc=$(header "$url" Content-Encoding -H 'Accept-Encoding: gzip')
	[[ $enc == gzip ]] || { echo "bench-feed: $url does not gzip" >&2; exit 1; }
done

# run URL [header] runs wrk once and prints "requests/s errors".
run() {
	local url=$1 hdr=${2:-} out
	if [[ -n $hdr ]]; then
		out=$(wrk $wrk_args -H "$hdr" "$url")
	else
		out=$(wrk $wrk_args "$url")
	fi
	awk '/^Requests\/sec:/ { rps = $2 }
		/Non-2xx or 3xx responses:/ { n += $NF }
		/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
		END { print rps, n + 0 }' <<<"$out"
}

# pair KD_HEADER NGINX_HEADER runs kdigest, nginx, nginx, kdigest (so a
# change in the machine's load hits both alike) and prints the mean
# requests/s and summed errors of each: "kd_rps kd_err ngx_rps ngx_err".
pair() {
	local a b c d
	a=$(run "$kd" "$1")
	b=$(run "$ngx" "$2")
	c=$(run "$ngx" "$2")
	d=$(run "$kd" "$1")
	awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" 'BEGIN {
		split(a, x, " "); split(d, y, " "); split(b, p, " "); split(c, q, " ")
		printf "%.0f %d %.0f %d\n", (x[1] + y[1]) / 2, x[2] + y[2], (p[1] + q[1]) / 2, p[2] + q[2]
	}'
}

echo "feed.atom: $(wc -c <"$tmp/www/feed.atom") bytes plain, $(wc -c <"$tmp/www/feed.atom.gz") gzip; wrk $wrk_args; $rounds rounds of 2 runs each"
printf '%-8s %14s %14s %8s %14s %s\n' case kdigest_rps nginx_rps ratio ratio_range errors
fail=0
for c in plain gzip 304; do
	case $c in
	plain) kh="" nh="" ;;
	gzip) kh="Accept-Encoding: gzip" nh="Accept-Encoding: gzip" ;;
	304) kh="If-None-Match: $kd_etag" nh="If-None-Match: $ngx_etag" ;;
	esac
	results=""
	for _ in $(seq "$rounds"); do
		results+="$(pair "$kh" "$nh")"$'\n'
	done
	# Mean rates over the rounds, the overall ratio and the range of the
	# rounds' ratios (nginx's own rate moves by 10-15 % between runs).
	read -r k_rps n_rps ratio lo hi k_err n_err < <(awk 'NF == 4 {
		k += $1; n += $3; ke += $2; ne += $4; r = 100 * $1 / $3; rounds++
		if (rounds == 1 || r < lo) lo = r
		if (rounds == 1 || r > hi) hi = r
	} END { printf "%.0f %.0f %.0f %.0f %.0f %d %d\n", k / rounds, n / rounds, 100 * k / n, lo, hi, ke, ne }' <<<"$results")
	printf '%-8s %14s %14s %7s%% %13s %s\n' "$c" "$k_rps" "$n_rps" "$ratio" "$lo-$hi%" "kdigest=$k_err nginx=$n_err"
	[[ $k_err == 0 ]] || fail=1
done
exit $fail
