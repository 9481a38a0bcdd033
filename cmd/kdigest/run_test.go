package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runKdigest runs the program with args and an environment, returning the
// exit code and both outputs.
func runKdigest(t *testing.T, environ map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := env{
		getenv: func(k string) string { return environ[k] },
		environ: func() []string {
			var kv []string
			for k, v := range environ {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		stdout: &stdout, stderr: &stderr,
	}
	code := run(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"no arguments", nil, exitUsage, "", "Commands:"},
		{"help lists commands", []string{"help"}, exitOK, "inspect", ""},
		{"help of a command", []string{"help", "serve"}, exitOK, "KDIGEST_SEEDS", ""},
		{"help of an unknown command", []string{"help", "nope"}, exitUsage, "", `unknown command "nope"`},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"themes", "--nope"}, exitUsage, "", "flag provided but not defined: -nope"},
		{"dash h", []string{"inspect", "-h"}, exitOK, "Usage: kdigest inspect", ""},
		{"inspect without files", []string{"inspect"}, exitUsage, "", "no files given"},
		{"bad setting value", []string{"config", "--feed-size", "zero"}, exitUsage, "", "feed-size (from flag --feed-size)"},
		{"stray argument", []string{"config", "extra"}, exitUsage, "", `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKdigest(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr: %s)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kdigest.toml")
	writeFile(t, file, "feed-size = 7\nper-theme = 3\ntz = \"Asia/Yerevan\"\nsmtp = \"smtp://ann:s3cret@mail.example.org:587\"\n")
	environ := map[string]string{"KDIGEST_CONFIG": file, "KDIGEST_PER_THEME": "4", "KDIGEST_FEED_SIZE": "8"}
	code, stdout, stderr := runKdigest(t, environ, "config", "--feed-size", "9")
	if code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr: %s", code, stderr)
	}
	for _, want := range []string{
		"feed-size           9",
		"flag --feed-size",
		"per-theme           4",
		"environment KDIGEST_PER_THEME",
		"Asia/Yerevan",
		"config file " + file,
		"smtp://ann:********@mail.example.org:587",
		"base-url            http://127.0.0.1:8080",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "s3cret") {
		t.Errorf("config output shows the SMTP password:\n%s", stdout)
	}
}

func TestConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"unknown key", "feed-size = 3\ncolour = \"red\"\n", "unknown setting colour"},
		{"syntax error", "feed-size = \n", ":1:"},
		{"bad value", "tz = \"Mars/Olympus\"\n", `tz (from config file`},
		{"table value", "[seeds]\nx = 1\n", "seeds: want a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".toml")
			writeFile(t, file, tt.content)
			code, _, stderr := runKdigest(t, nil, "config", "--config", file)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
	code, _, stderr := runKdigest(t, nil, "config", "--config", filepath.Join(dir, "missing.toml"))
	if code != exitUsage || !strings.Contains(stderr, "missing.toml") {
		t.Errorf("missing file: code %d, stderr %q; want 2 and the file named", code, stderr)
	}
}

func TestDKIMSettingsGoTogether(t *testing.T) {
	code, _, stderr := runKdigest(t, nil, "config", "--dkim-key", "k.pem")
	if code != exitUsage || !strings.Contains(stderr, "dkim-selector") {
		t.Errorf("code %d, stderr %q; want 2 and a word about dkim-selector", code, stderr)
	}
}

func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "degraded", http.StatusServiceUnavailable)
	}))
	defer sick.Close()

	addr := strings.TrimPrefix(healthy.URL, "http://")
	if code, _, stderr := runKdigest(t, map[string]string{"KDIGEST_ADDR": addr}, "healthcheck"); code != exitOK {
		t.Errorf("healthy service: exit %d, want 0 (%s)", code, stderr)
	}
	if code, _, stderr := runKdigest(t, nil, "healthcheck", "--url", sick.URL+"/healthz"); code != exitFailure || !strings.Contains(stderr, "503") {
		t.Errorf("sick service: exit %d stderr %q, want 1 and the status", code, stderr)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	if code, _, _ := runKdigest(t, nil, "healthcheck", "--url", closedURL+"/healthz"); code != exitFailure {
		t.Errorf("no service: exit %d, want 1", code)
	}
}

func TestLoopbackAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.0.0.0:8080", "127.0.0.1:8080"},
		{":8080", "127.0.0.1:8080"},
		{"[::]:9000", "127.0.0.1:9000"},
		{"10.1.2.3:80", "10.1.2.3:80"},
		{"localhost:8080", "localhost:8080"},
	}
	for _, tt := range tests {
		if got := loopbackAddr(tt.in); got != tt.want {
			t.Errorf("loopbackAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
