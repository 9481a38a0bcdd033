package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHubPingsAreOwnedByServe checks that a change pings the WebSub hub with
// the feeds' URLs, and that stopping serve while a ping hangs ends that
// ping: when serve returns, no pinger goroutine is left running.
func TestHubPingsAreOwnedByServe(t *testing.T) {
	var mu sync.Mutex
	var pings [][]string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("hub.mode") != "publish" {
			http.Error(w, "bad ping", http.StatusBadRequest)
			return
		}
		mu.Lock()
		pings = append(pings, r.Form["hub.url"])
		mu.Unlock()
		<-r.Context().Done() // the hub hangs until the client gives up
	}))
	defer hub.Close()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(pings) }

	seeds := seedsDir(t)
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", t.TempDir(),
		"--rescan", "1h", "--digest-schedule", "off", "--log-level", "warn", "--websub-hub", hub.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard}, c, ready)
	}()
	<-ready
	writeFile(t, filepath.Join(seeds, "new-1.txt"), newArticle(1))
	within(t, 5*time.Second, "hub pinged", func() bool { return count() > 0 })
	mu.Lock()
	topics := strings.Join(pings[0], " ")
	mu.Unlock()
	for _, want := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/themes/summits.atom"} {
		if !strings.Contains(topics, want) {
			t.Errorf("ping topics %q lack %s", topics, want)
		}
	}

	// A second change while the ping hangs is queued, not sent beside it.
	writeFile(t, filepath.Join(seeds, "new-2.txt"), newArticle(2))
	time.Sleep(500 * time.Millisecond)
	if n := count(); n != 1 {
		t.Errorf("%d pings in flight at once, want 1", n)
	}

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return while a ping hung")
	}
	t.Logf("serve returned %s after the stop", time.Since(start))
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "hubPinger") {
		t.Errorf("a hub pinger goroutine outlived serve:\n%s", stacks)
	}
}

// TestHubPingNamesEveryFeedThatAdvertisesIt checks that a change pings the
// hub for every feed that names the hub (rel="hub", "hubs"): the theme
// feeds' RSS and JSON Feed advertised it but were never pinged, so a
// reader subscribed to /themes/summits.rss through the hub never heard of
// a new article.
func TestHubPingNamesEveryFeedThatAdvertisesIt(t *testing.T) {
	var mu sync.Mutex
	var pings []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad ping", http.StatusBadRequest)
			return
		}
		mu.Lock()
		pings = append(pings, r.Form["hub.url"]...)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	topics := func() map[string]bool {
		mu.Lock()
		defer mu.Unlock()
		m := map[string]bool{} // by path: the base URL is the configured one
		for _, p := range pings {
			if u, err := url.Parse(p); err == nil {
				m[u.Path] = true
			}
		}
		return m
	}

	seeds := seedsDir(t)
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", t.TempDir(),
		"--rescan", "1h", "--digest-schedule", "off", "--log-level", "warn", "--websub-hub", hub.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard}, c, ready)
	}()
	base := "http://" + <-ready
	writeFile(t, filepath.Join(seeds, "new-1.txt"), newArticle(1))
	within(t, 5*time.Second, "hub pinged", func() bool { return len(topics()) > 0 })

	pinged := topics()
	paths := []string{"/feed.atom", "/feed.rss", "/feed.json"}
	for _, id := range []string{"summits", "peace-treaty", "security", "escalation", "transport", "humanitarian"} {
		for _, ext := range []string{".atom", ".rss", ".json"} {
			paths = append(paths, "/themes/"+id+ext)
		}
	}
	for _, p := range paths {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), hub.URL) {
			continue // a feed that does not advertise the hub need not be pinged
		}
		if !pinged[p] {
			t.Errorf("%s advertises the hub but is not among the pinged topics", p)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
