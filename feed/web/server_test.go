package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/templates"
)

func TestNewServerErrors(t *testing.T) {
	c := openCorpus(t)
	good, err := fs2map(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	broken := func(name, text string) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range good {
			m[k] = v
		}
		m[name] = &fstest.MapFile{Data: []byte(text)}
		return m
	}
	missing := fstest.MapFS{}
	for k, v := range good {
		if k != "theme.html.tmpl" {
			missing[k] = v
		}
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no snapshot", Options{}, "no snapshot"},
		{"bad layout", Options{Snapshot: c.Snapshot, Templates: broken("layout.html.tmpl", `{{define "layout"}}{{.Site.Title`)}, "layout.html.tmpl"},
		{"bad page", Options{Snapshot: c.Snapshot, Templates: broken("article.html.tmpl", `{{define "content"}}{{end}`)}, "article.html.tmpl"},
		{"missing page", Options{Snapshot: c.Snapshot, Templates: missing}, "theme"},
		{"empty fs", Options{Snapshot: c.Snapshot, Templates: fstest.MapFS{}}, "page template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewServer(tc.opts)
			if err == nil {
				t.Fatalf("NewServer = %v, nil; want an error", h)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to name %q", err, tc.want)
			}
		})
	}
	if _, err := NewServer(Options{}); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("error = %v, want ErrNoSnapshot", err)
	}
}

// fs2map copies the embedded templates so a test can break one of them.
func fs2map(fsys interface {
	ReadDir(string) ([]os.DirEntry, error)
	ReadFile(string) ([]byte, error)
}) (fstest.MapFS, error) {
	entries, err := fsys.ReadDir(".")
	if err != nil {
		return nil, err
	}
	m := fstest.MapFS{}
	for _, e := range entries {
		b, err := fsys.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	return m, nil
}

func TestTemplateExecutionError(t *testing.T) {
	c := openCorpus(t)
	m, err := fs2map(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	// Parses, but fails when run: a 500, not half a page.
	m["index.html.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<p>start</p>{{.NoSuchField}}{{end}}`)}
	var logs bytes.Buffer
	h, err := NewServer(Options{Snapshot: c.Snapshot, Templates: m, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, h, http.MethodGet, "/", nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	if strings.Contains(string(body), "start") {
		t.Errorf("body %q holds part of the page", body)
	}
	if !strings.Contains(logs.String(), "render page") {
		t.Errorf("log = %q, want a render error", logs.String())
	}
}

func TestHealthz(t *testing.T) {
	c := openCorpus(t)
	h, err := NewServer(Options{Snapshot: c.Snapshot, Status: func() map[string]any {
		return map[string]any{"last_digest": "2026-W47 sent", "watcher": "watching"}
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, h, http.MethodGet, "/healthz", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	want := map[string]any{
		"status": "ok", "articles": 5.0, "visible": 5.0, "failed": 0.0,
		"last_scan": "2026-11-23T08:00:00Z", "last_digest": "2026-W47 sent", "watcher": "watching",
		"version": float64(c.Snapshot().Version),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	h, _ := newHandler(t, Options{Metrics: m})
	do(t, h, http.MethodGet, "/feed.atom", nil)
	do(t, h, http.MethodGet, "/feed.atom", nil)
	do(t, h, http.MethodGet, "/feed.atom", map[string]string{"If-None-Match": "*"})
	do(t, h, http.MethodGet, "/articles/nope", nil)
	do(t, h, http.MethodPost, "/feed.rss", nil)
	tests := []struct {
		route, code string
		want        float64
	}{
		{"GET /feed.atom", "200", 2},
		{"GET /feed.atom", "304", 1},
		{"GET /articles/{id}", "404", 1},
		{"/", "405", 1},
	}
	for _, tc := range tests {
		if got := requests(t, m, tc.route, tc.code); got != tc.want {
			t.Errorf("requests{route=%q,code=%s} = %v, want %v", tc.route, tc.code, got, tc.want)
		}
	}
	// The site does not publish them: serve mounts m.Handler on a listener
	// of its own (--metrics-addr).
	if resp, _ := do(t, h, http.MethodGet, "/metrics", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the site = %d, want 404", resp.StatusCode)
	}
	resp, body := do(t, m.Handler(), http.MethodGet, "/metrics", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`kdigest_http_requests_total{code="200",route="GET /feed.atom"} 2`,
		`kdigest_http_requests_total{code="404",route="GET /articles/{id}"} 1`,
		"# TYPE kdigest_scan_duration_seconds histogram",
		"# TYPE kdigest_articles gauge",
		"# TYPE kdigest_digest_emails_sent_total counter",
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestExtraRoutes(t *testing.T) {
	var got []string
	var mu sync.Mutex
	record := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, name+" "+r.PathValue("token"))
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		})
	}
	m := NewMetrics()
	h, _ := newHandler(t, Options{Metrics: m, Routes: map[string]http.Handler{
		"POST /subscribe":          record("subscribe"),
		"GET /unsubscribe/{token}": record("unsubscribe"),
		"GET /digests":             record("digests"),
	}})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/subscribe", http.StatusAccepted},
		{http.MethodGet, "/unsubscribe/abc", http.StatusAccepted},
		{http.MethodGet, "/digests", http.StatusAccepted},
		{http.MethodPost, "/digests", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		if resp, _ := do(t, h, tc.method, tc.path, nil); resp.StatusCode != tc.want {
			t.Errorf("%s %s: status = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
	}
	want := []string{"subscribe ", "unsubscribe abc", "digests "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handlers ran %q, want %q", got, want)
	}
	if n := requests(t, m, "GET /unsubscribe/{token}", "202"); n != 1 {
		t.Errorf("extra route counted %v times, want 1", n)
	}
}

func TestRecoverer(t *testing.T) {
	var logs bytes.Buffer
	h, _ := newHandler(t, Options{
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Routes: map[string]http.Handler{
			"GET /boom": http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }),
		},
	})
	resp, _ := do(t, h, http.MethodGet, "/boom", nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log = %q, want an error line naming the panic", logs.String())
	}
	// The server keeps serving.
	if resp, _ := do(t, h, http.MethodGet, "/feed.atom", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after a panic: status = %d, want 200", resp.StatusCode)
	}
}

func TestRecovererAbort(t *testing.T) {
	h, _ := newHandler(t, Options{Routes: map[string]http.Handler{
		"GET /abort": http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }),
	}})
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed on", v)
		}
	}()
	do(t, h, http.MethodGet, "/abort", nil)
	t.Error("ErrAbortHandler was swallowed")
}

// TestOverHTTP runs the site on a real listener, as a reader polls it.
func TestOverHTTP(t *testing.T) {
	h, _ := newHandler(t, Options{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/feed.atom", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("gzip response: Content-Length %d, transfer encoding %v, body %d bytes; want a plain length", resp.ContentLength, resp.TransferEncoding, len(body))
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional poll: status = %d, want 304", resp.StatusCode)
	}
}

func TestBuild(t *testing.T) {
	h, snap := newHandler(t, Options{})
	dir := t.TempDir()
	n, err := Build(context.Background(), Options{Snapshot: func() *feed.Snapshot { return snap }, Now: fixedNow}, dir)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	want := []string{"index.html", "feed.atom", "feed.rss", "feed.json", "feeds.opml", "themes/summits.atom", "themes/summits/index.html"}
	for _, e := range snap.Visible() {
		want = append(want, "articles/"+e.ID+"/index.html")
	}
	for _, th := range snap.Taxonomy.Themes {
		want = append(want, "themes/"+th.ID+"/index.html", "themes/"+th.ID+".atom")
	}
	for _, rel := range want {
		if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
			t.Errorf("missing %s: %v", rel, err)
		}
	}
	var files int
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			files++
		}
		return nil
	})
	if files != n {
		t.Errorf("Build = %d, wrote %d files", n, files)
	}
	got, err := os.ReadFile(filepath.Join(dir, "feed.atom"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := snap.Document("feed.atom")
	if !bytes.Equal(got, doc.Body) {
		t.Error("feed.atom differs from the served document")
	}
	_, index := do(t, h, http.MethodGet, "/", nil)
	if got, _ := os.ReadFile(filepath.Join(dir, "index.html")); !bytes.Equal(got, index) {
		t.Error("index.html differs from the served page")
	}
}

func TestBuildErrors(t *testing.T) {
	h, snap := newHandler(t, Options{})
	opts := Options{Snapshot: func() *feed.Snapshot { return snap }, Now: fixedNow}
	onePage := func(string) int { return 1 }
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Build(ctx, opts, t.TempDir()); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("page fails", func(t *testing.T) {
		failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/feed.rss" {
				http.Error(w, "no", http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
		})
		_, err := build(context.Background(), failing, snap, onePage, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "/feed.rss") || !strings.Contains(err.Error(), "500") {
			t.Errorf("error = %v, want one naming /feed.rss and 500", err)
		}
	})
	t.Run("output is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Build(context.Background(), opts, file); err == nil {
			t.Error("Build into a regular file succeeded")
		}
	})
	t.Run("no snapshot", func(t *testing.T) {
		if _, err := Build(context.Background(), Options{}, t.TempDir()); !errors.Is(err, ErrNoSnapshot) {
			t.Errorf("error = %v, want ErrNoSnapshot", err)
		}
	})
}

func TestWriteFileEscape(t *testing.T) {
	dir := t.TempDir()
	tests := []string{"/..%2F..%2Fescape.txt", "/articles/..%2F..%2F..%2Fescape"}
	for _, p := range tests {
		if err := writeFile(dir, p, true, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "escapes") {
			t.Errorf("writeFile(%q) = %v, want an escape error", p, err)
		}
	}
	if err := writeFile(dir, "/bad%zz", true, strings.NewReader("x")); err == nil {
		t.Error("writeFile with a bad escape succeeded")
	}
}

func TestPingHub(t *testing.T) {
	var mu sync.Mutex
	var forms []url.Values
	status := http.StatusNoContent
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" {
			t.Errorf("hub got %s with Content-Type %q", r.Method, ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		forms = append(forms, r.PostForm)
		code := status
		mu.Unlock()
		if code != http.StatusNoContent {
			http.Error(w, "hub is unhappy", code)
			return
		}
		w.WriteHeader(code)
	}))
	defer hub.Close()
	topics := []string{testBase + "/feed.atom", testBase + "/themes/summits.atom"}
	ctx := context.Background()
	if err := PingHub(ctx, hub.Client(), hub.URL, topics); err != nil {
		t.Fatalf("PingHub: %v", err)
	}
	if len(forms) != 1 {
		t.Fatalf("hub got %d requests, want 1", len(forms))
	}
	if got := forms[0]["hub.mode"]; len(got) != 1 || got[0] != "publish" {
		t.Errorf("hub.mode = %q, want publish", got)
	}
	if got := forms[0]["hub.url"]; strings.Join(got, " ") != strings.Join(topics, " ") {
		t.Errorf("hub.url = %q, want %q", got, topics)
	}

	mu.Lock()
	status = http.StatusBadGateway
	mu.Unlock()
	err := PingHub(ctx, hub.Client(), hub.URL, topics)
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") || !strings.Contains(err.Error(), "hub is unhappy") {
		t.Errorf("error = %v, want one naming 502 Bad Gateway and the hub's message", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := PingHub(cancelled, hub.Client(), hub.URL, topics); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error = %v, want context.Canceled", err)
	}
	if err := PingHub(ctx, hub.Client(), "://bad", topics); err == nil {
		t.Error("bad hub URL: no error")
	}
}

// requests reads kdigest_http_requests_total for one route and code from
// the registry, as a scrape would.
func requests(t *testing.T, m *Metrics, route, code string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "kdigest_http_requests_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range metric.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code {
				return metric.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestRequestLog(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		path  string
		want  string
	}{
		{"debug line per request", slog.LevelDebug, "/feed.atom", "level=DEBUG msg=http method=GET path=/feed.atom status=200"},
		{"quiet at info", slog.LevelInfo, "/feed.atom", ""},
		{"404 at debug", slog.LevelDebug, "/nope", "path=/nope status=404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h, _ := newHandler(t, Options{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: tc.level}))})
			do(t, h, http.MethodGet, tc.path, nil)
			got := logs.String()
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("log = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRequestBodiesAreCapped checks that no handler of the site reads more
// than MaxBody of what a request posts, whatever its size: a form is a
// few hundred bytes, and Go's ParseForm would read 10 MB of one.
func TestRequestBodiesAreCapped(t *testing.T) {
	var read int64
	var tooBig bool
	h, _ := newHandler(t, Options{Routes: map[string]http.Handler{"POST /echo": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		var mbe *http.MaxBytesError
		read, tooBig = n, errors.As(err, &mbe)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	})}})
	req := httptest.NewRequest(http.MethodPost, "/echo", strings.NewReader(strings.Repeat("x", 1<<20)))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if read > MaxBody || !tooBig {
		t.Errorf("a 1 MB body: the handler read %d bytes (too big reported: %v), want at most %d and a MaxBytesError", read, tooBig, MaxBody)
	}
}
