package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTrustedProxyAndMetricsSettings(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		environ map[string]string
		code    int
		want    string
	}{
		{"trusted proxies", []string{"--trusted-proxy", "127.0.0.1/32,::1"}, nil, exitOK, "127.0.0.1/32,::1"},
		{"trusted proxy from the environment", nil, map[string]string{"KDIGEST_TRUSTED_PROXY": "10.0.0.0/8"}, exitOK, "environment KDIGEST_TRUSTED_PROXY"},
		{"bad trusted proxy", []string{"--trusted-proxy", "10.0.0.0/8,proxy.lan"}, nil, exitUsage, `trusted-proxy (from flag --trusted-proxy): want CIDR ranges such as 127.0.0.1/32,10.0.0.0/8: "proxy.lan" is not`},
		{"metrics address", []string{"--metrics-addr", "127.0.0.1:9464"}, nil, exitOK, "127.0.0.1:9464"},
		{"bad metrics address", []string{"--metrics-addr", "9464"}, nil, exitUsage, `metrics-addr (from flag --metrics-addr): want host:port, got "9464"`},
		{"metrics port out of range", []string{"--metrics-addr", ":99999"}, nil, exitUsage, `metrics-addr (from flag --metrics-addr): want host:port with a port from 0 to 65535, got ":99999"`},
		{"listen port out of range", []string{"--addr", ":99999"}, nil, exitUsage, `addr (from flag --addr): want host:port with a port from 0 to 65535, got ":99999"`},
		{"named port", []string{"--addr", "127.0.0.1:http"}, nil, exitUsage, `want host:port with a port from 0 to 65535`},
		{"no port", []string{"--addr", "127.0.0.1:"}, nil, exitUsage, `want host:port with a port from 0 to 65535`},
		{"unknown port name", []string{"--addr", "127.0.0.1:nosuchservice"}, nil, exitUsage, `want host:port with a port from 0 to 65535`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runKdigest(t, tc.environ, append([]string{"config"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tc.code, tc.want)
			}
		})
	}
}

// TestServeMetricsAddr: metrics are served on --metrics-addr only, never
// on the site's own port, where a proxy's "location /" would publish them.
func TestServeMetricsAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	base := startServe(t, seedsDir(t), "--metrics-addr", metricsAddr)
	get(t, base+"/feed.atom")
	tests := []struct {
		url  string
		code int
		want string
	}{
		{base + "/metrics", http.StatusNotFound, ""},
		{"http://" + metricsAddr + "/metrics", http.StatusOK, `kdigest_http_requests_total{code="200",route="GET /feed.atom"} 1`},
		{"http://" + metricsAddr + "/feed.atom", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d, want %d with %q", tc.url, resp.StatusCode, tc.code, tc.want)
		}
	}
}

func TestServeMetricsAddrTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := runKdigest(t, nil, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--seeds", seedsDir(t), "--metrics-addr", ln.Addr().String())
	if code != exitFailure || !strings.Contains(stderr, "metrics-addr") || !strings.Contains(stderr, "address already in use") {
		t.Errorf("exit %d, stderr %q; want 1 naming metrics-addr", code, stderr)
	}
}

// TestServeBehindProxy is the nginx case: every request comes from
// 127.0.0.1. With --trusted-proxy the limit counts the visitors, so the
// site's sixth subscriber of the hour is welcome; without it, not.
func TestServeBehindProxy(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		sixth int
	}{
		{"trusted proxy", []string{"--trusted-proxy", "127.0.0.1/32"}, http.StatusAccepted},
		{"no trusted proxy", nil, http.StatusTooManyRequests},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := startServe(t, seedsDir(t), tc.extra...)
			var code int
			for i := range 6 {
				req, _ := http.NewRequest(http.MethodPost, base+"/subscribe", strings.NewReader(url.Values{"email": {"v" + string(rune('a'+i)) + "@example.org"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				code = resp.StatusCode
			}
			if code != tc.sixth {
				t.Errorf("sixth subscriber = %d, want %d", code, tc.sixth)
			}
		})
	}
}

// TestServeSubscribeWithSlowRelay: the visitor is answered before the relay
// has the confirmation email; stopping the service waits for the email in
// flight and records it, so the queue agrees with the relay.
func TestServeSubscribeWithSlowRelay(t *testing.T) {
	mail, addr := startSMTP(t, time.Second)
	data := t.TempDir()
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seedsDir(t), "--data", data, "--smtp", "smtp://"+addr+"?tls=none",
		"--from", "digest@example.org", "--digest-schedule", "off", "--log-level", "error")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, env2(), c, ready) }()
	var base string
	select {
	case a := <-ready:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	}
	start := time.Now()
	resp, err := http.PostForm(base+"/subscribe", url.Values{"email": {"slow@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusAccepted || took >= time.Second {
		t.Fatalf("POST /subscribe = %d after %s, want 202 before the relay answers", resp.StatusCode, took)
	}
	time.Sleep(300 * time.Millisecond) // the email is on its way to the relay
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, dbFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status string
	if err := db.QueryRow(`SELECT status FROM confirmations WHERE email = 'slow@example.org'`).Scan(&status); err != nil {
		t.Fatal(err)
	}
	mail.mu.Lock()
	got := mail.got["slow@example.org"]
	mail.mu.Unlock()
	if (got == 1) != (status == "sent") || got > 1 {
		t.Errorf("the relay got %d email(s), the queue says %q", got, status)
	}
	if got != 1 {
		t.Logf("the email had not reached the relay when serve stopped (status %s)", status)
	}
}

// TestNamedPortRefusedAsEveryCommandWould checks that an --addr every
// command accepts is one they can all use: "127.0.0.1:http" passed the
// setting, then made the default base URL "http://127.0.0.1:http", which
// the corpus refuses, so serve and digest failed with exit 1 after
// opening the database (serve after listening), and healthcheck dialled
// a URL with no port.
func TestNamedPortRefusedAsEveryCommandWould(t *testing.T) {
	code, _, stderr := runKdigest(t, nil, "digest", "--dry-run", "--addr", "127.0.0.1:http", "--seeds", seedsDir(t), "--data", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "addr (from flag --addr)") {
		t.Errorf("digest --addr 127.0.0.1:http: exit %d, %q; want %d naming the setting", code, stderr, exitUsage)
	}
}
