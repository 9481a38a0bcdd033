package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncWriter serialises writes to a buffer shared with the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// testConfig resolves settings exactly as the command line does.
func testConfig(t *testing.T, args ...string) *config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	flags := registerSettings(fs, groupService)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(fs, flags, groupService, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// seedsDir copies the project's seeds into a temp folder.
func seedsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, _ := filepath.Glob("../../seeds/*.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(b))
	}
	return dir
}

// startServe runs serve in the background and returns its base URL.
func startServe(t *testing.T, seeds string, extra ...string) string {
	t.Helper()
	base, _ := startServeLog(t, seeds, append([]string{"--log-level", "warn"}, extra...)...)
	return base
}

// startServeLog runs serve in the background and returns its base URL and
// a function returning its log so far.
func startServeLog(t *testing.T, seeds string, extra ...string) (string, func() string) {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--seeds", seeds, "--data", t.TempDir(), "--rescan", "1h", "--digest-schedule", "off"}, extra...)
	c := testConfig(t, args...)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	logw := &syncWriter{w: &stderr}
	logText := func() string {
		logw.mu.Lock()
		defer logw.mu.Unlock()
		return stderr.String()
	}
	go func() {
		done <- serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: logw}, c, ready)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", logText())
		}
	})
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, logText
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, logText())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", logText
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// within polls until cond holds, failing after d; it returns how long it took.
// d bounds a wait for correctness, not speed: it is far above what the
// behaviour takes, because timings are measured by benchmarks and scripts
// (.ci/bench-100k), never by unit tests on a loaded machine.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// newArticle is a distinct, on-topic article in raw scraped style.
func newArticle(n int) string {
	places := []string{"Brussels", "Washington", "Geneva", "Moscow", "Prague", "Granada", "Abu Dhabi", "Tbilisi"}
	return fmt.Sprintf(`Armenia and Azerbaijan hold round %d of peace talks in %s
Published: 2%d October 2025
%s — Armenian Foreign Minister Ararat Mirzoyan and Azerbaijani Foreign Minister Jeyhun Bayramov met in %s on Tuesday for round %d of talks on the peace treaty and border delimitation, officials said.

The ministers discussed the text of the agreement, the unblocking of transport links and the release of detainees, according to statement number %d issued after the meeting.

Both sides said they would meet again within %d weeks to continue the negotiations on a lasting peace between Armenia and Azerbaijan.
`, n, places[n%len(places)], n%10, strings.ToUpper(places[n%len(places)]), places[n%len(places)], n, n*7, n%5+2)
}

func TestServeFollowsTheSeedsFolder(t *testing.T) {
	seeds := seedsDir(t)
	base := startServe(t, seeds)
	atom := func() string { return get(t, base+"/feed.atom") }
	if !strings.Contains(atom(), "tag:127.0.0.1,2026:article/003_9b9c189b77a28c48") {
		t.Fatalf("seed missing from the feed:\n%s", atom())
	}

	// A new file reaches the feed within a second.
	writeFile(t, filepath.Join(seeds, "new-1.txt"), newArticle(1))
	took := within(t, 10*time.Second, "new article in /feed.atom", func() bool { return strings.Contains(atom(), "article/new-1<") })
	t.Logf("new article served after %s", took)

	// Written under a temporary name, then renamed into place.
	writeFile(t, filepath.Join(seeds, "new-2.txt.part"), newArticle(2))
	if err := os.Rename(filepath.Join(seeds, "new-2.txt.part"), filepath.Join(seeds, "new-2.txt")); err != nil {
		t.Fatal(err)
	}
	within(t, 10*time.Second, "renamed-in article", func() bool { return strings.Contains(atom(), "article/new-2<") })

	// Deleted: it leaves the feed.
	if err := os.Remove(filepath.Join(seeds, "new-1.txt")); err != nil {
		t.Fatal(err)
	}
	within(t, 10*time.Second, "deleted article gone", func() bool { return !strings.Contains(atom(), "article/new-1<") })

	// A broken file is reported and does not stop anything; its fix is picked up.
	writeFile(t, filepath.Join(seeds, "broken.txt"), "\x00\x01\x02\x03\x00\x00\x00\x00\x00\x00 binary")
	within(t, 10*time.Second, "broken file reported", func() bool {
		var h struct{ Failed int }
		json.Unmarshal([]byte(get(t, base+"/healthz")), &h)
		return h.Failed == 1
	})
	writeFile(t, filepath.Join(seeds, "broken.txt"), newArticle(3))
	within(t, 10*time.Second, "fixed file served", func() bool { return strings.Contains(atom(), "article/broken<") })

	// Seeds by feed.IsSeed, the watcher's rule too: any case, and web pages.
	writeFile(t, filepath.Join(seeds, "SHOUT.TXT"), newArticle(4))
	page := "<html><head><title>Talks</title></head><body><article><p>" + strings.ReplaceAll(newArticle(5), "\n\n", "</p><p>") + "</p></article></body></html>"
	writeFile(t, filepath.Join(seeds, "page.html"), page)
	within(t, 10*time.Second, "an upper-case .TXT and an .html in the feed", func() bool {
		a := atom()
		return strings.Contains(a, "article/SHOUT<") && strings.Contains(a, "article/page<")
	})
}

// TestServeSeedsFolderReplaced renames the seeds folder away and makes a
// new one: /healthz says the watcher waits, then a file in the new folder
// is served.
func TestServeSeedsFolderReplaced(t *testing.T) {
	seeds := seedsDir(t)
	base := startServe(t, seeds)
	mode := func() string {
		var h struct{ Watcher struct{ Mode string } }
		json.Unmarshal([]byte(get(t, base+"/healthz")), &h)
		return h.Watcher.Mode
	}
	if err := os.Rename(seeds, seeds+".old"); err != nil {
		t.Fatal(err)
	}
	within(t, 10*time.Second, "watcher waiting in /healthz", func() bool { return mode() == "waiting" })
	if err := os.Mkdir(seeds, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(seeds, "fresh.txt"), newArticle(6))
	within(t, 5*time.Second, "a file of the new folder served", func() bool {
		return strings.Contains(get(t, base+"/feed.atom"), "article/fresh<") && mode() == "inotify"
	})
}

func TestServeBurstOf500Files(t *testing.T) {
	seeds := t.TempDir()
	base := startServe(t, seeds)
	for i := 0; i < 500; i++ {
		writeFile(t, filepath.Join(seeds, fmt.Sprintf("burst-%03d.txt", i)), newArticle(100+i))
	}
	var last string
	defer func() { t.Logf("last health: %s", last) }()
	took := within(t, 60*time.Second, "500 articles in the corpus", func() bool {
		var h struct{ Articles, Failed int }
		json.Unmarshal([]byte(get(t, base+"/healthz")), &h)
		last = fmt.Sprintf("%+v", h)
		return h.Articles == 500
	})
	t.Logf("500 files written at once were all served after %s", took)
}

func TestServeStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	seeds := seedsDir(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"address taken", []string{"--addr", ln.Addr().String(), "--seeds", seeds}, exitFailure, "address already in use"},
		{"missing seeds folder", []string{"--addr", "127.0.0.1:0", "--seeds", filepath.Join(seeds, "nope")}, exitFailure, "seeds folder"},
		// A bad setting, refused as every command refuses it.
		{"bad themes file", []string{"--addr", "127.0.0.1:0", "--seeds", seeds, "--themes", filepath.Join(seeds, "000_7b07c52ff58aff77.txt")}, exitUsage, "000_7b07c52ff58aff77.txt:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--data", t.TempDir()}, tt.args...)
			code, _, stderr := runKdigest(t, nil, args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.want)
			}
		})
	}
}

// refuseArticles makes the database in data refuse every new article.
func refuseArticles(t *testing.T, data string) {
	t.Helper()
	db, err := openDB(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER no_articles BEFORE INSERT ON articles BEGIN SELECT RAISE(FAIL, 'disk says no'); END`); err != nil {
		t.Fatal(err)
	}
}

// TestServeFirstScanFails checks that a first scan that cannot save the
// articles stops serve with an error, rather than serving an old corpus.
func TestServeFirstScanFails(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "build", "--seeds", t.TempDir(), "--data", data, "--out", t.TempDir()); code != exitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	refuseArticles(t, data)
	code, _, stderr := runKdigest(t, nil, "serve", "--addr", "127.0.0.1:0", "--seeds", seedsDir(t), "--data", data, "--digest-schedule", "off")
	if code != exitFailure || !strings.Contains(stderr, "first scan of") || !strings.Contains(stderr, "disk says no") {
		t.Errorf("exit %d, stderr %q; want 1 and the failed scan", code, stderr)
	}
}

// TestServeWarmStartFirstScanFails checks that a restart serves the
// articles the database holds while it scans, and that a scan that cannot
// save stops serve all the same, closing what it served.
func TestServeWarmStartFirstScanFails(t *testing.T) {
	data, seeds := t.TempDir(), seedsDir(t)
	if code, _, stderr := runKdigest(t, nil, "build", "--seeds", seeds, "--data", data, "--out", t.TempDir()); code != exitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	refuseArticles(t, data)
	writeFile(t, filepath.Join(seeds, "new.txt"), "Added while down\n\nBAKU -- Negotiators of Armenia and Azerbaijan met again on the peace treaty, officials said.\n")
	code, _, stderr := runKdigest(t, nil, "serve", "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", data, "--digest-schedule", "off")
	if code != exitFailure || !strings.Contains(stderr, "serving the saved articles") || !strings.Contains(stderr, "first scan of") || !strings.Contains(stderr, "disk says no") {
		t.Errorf("exit %d, stderr %q; want the saved articles served, then 1 and the failed scan", code, stderr)
	}
}

// TestServeFirstStartWaitsForScan checks that a first start, with nothing
// saved, serves nothing before its scan.
func TestServeFirstStartWaitsForScan(t *testing.T) {
	base, logText := startServeLog(t, seedsDir(t))
	if !strings.Contains(logText(), "corpus loaded") || strings.Contains(logText(), "serving the saved articles") || strings.Contains(logText(), "serving the saved feeds") {
		t.Errorf("a first start served before its scan:\n%s", logText())
	}
	if body := get(t, base+"/feed.atom"); !strings.Contains(body, "<entry>") {
		t.Errorf("feed after the first scan has no entry:\n%s", body)
	}
}

// TestServeRestartServesSavedFeedsFirst checks that a restart serves the
// feeds the last run saved before it loads the corpus, then the site, and
// that the feed is the same document (same ETag) before and after; with
// another setting that reaches the feeds (--feed-size) it does not.
func TestServeRestartServesSavedFeedsFirst(t *testing.T) {
	data, seeds := t.TempDir(), seedsDir(t)
	const site = "https://kdigest.example.org"
	// A first run, stopped.
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", data, "--base-url", site, "--digest-schedule", "off")
	serveOnce(t, c)
	base, logText := startServeLog(t, seeds, "--data", data, "--base-url", site)
	saved, loaded := strings.Index(logText(), "serving the saved feeds while the corpus loads"), strings.Index(logText(), "serving the saved articles")
	if saved < 0 || loaded < saved {
		t.Errorf("a restart did not serve its saved feeds before it loaded the corpus:\n%s", logText())
	}
	req, _ := http.NewRequest("GET", base+"/feed.atom", nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	saved2, err := feedETagSaved(t, data)
	if err != nil || etag == "" || etag != saved2 {
		t.Errorf("/feed.atom after the start has ETag %q, the saved one %q (%v)", etag, saved2, err)
	}
	_, logText = startServeLog(t, seeds, "--data", data, "--base-url", site, "--feed-size", "7")
	if strings.Contains(logText(), "serving the saved feeds") {
		t.Errorf("feeds saved with another --feed-size were served:\n%s", logText())
	}
}

// feedETagSaved returns the ETag of the saved /feed.atom in data's database.
func feedETagSaved(t *testing.T, data string) (string, error) {
	t.Helper()
	db, err := openDB(context.Background(), data)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var etag string
	err = db.QueryRow(`SELECT etag FROM feed_documents WHERE path = 'feed.atom'`).Scan(&etag)
	return etag, err
}

// TestServeFirstStartServesItsFirstPart checks that a first start of a
// folder larger than one part (2,048 files) serves the articles of its
// first part before it has read the rest, says so in /healthz
// ("partial"), and serves the whole folder once its scan is done.
func TestServeFirstStartServesItsFirstPart(t *testing.T) {
	seeds := seedsDir(t)
	seedCount := len(mustGlob(t, filepath.Join(seeds, "*.txt")))
	const n = 2600
	writeArchive(t, seeds, n)
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", t.TempDir(), "--rescan", "1h", "--digest-schedule", "off")
	logText, cancel, done := serveInBackground(t, c)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	serving := regexp.MustCompile(`serving the first articles while the rest of the seeds folder is read.*addr=(127\.0\.0\.1:\d+)`)
	var addr string
	within(t, 60*time.Second, "serving the first articles", func() bool {
		if m := serving.FindStringSubmatch(logText()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	var health struct {
		Articles int
		Partial  bool
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if loaded := strings.Contains(logText(), "corpus loaded"); !loaded && (!health.Partial || health.Articles == 0 || health.Articles >= n) {
		t.Errorf("during the first scan /healthz says %+v, want partial and the first part's articles", health)
	}
	if body := get(t, "http://"+addr+"/feed.atom"); !strings.Contains(body, "<entry>") {
		t.Errorf("the first part's feed has no entry:\n%.500s", body)
	}
	within(t, 120*time.Second, "the whole folder", func() bool { return strings.Contains(logText(), "corpus loaded") })
	resp, err = http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if health.Partial || health.Articles < n {
		t.Errorf("after the first scan /healthz says %+v, want %d articles, not partial", health, n+seedCount)
	}
}

func TestBuildWritesStaticSite(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runKdigest(t, nil, "build", "--seeds", seedsDir(t), "--data", t.TempDir(), "--out", out, "--base-url", "https://kdigest.example.org")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"index.html", "feed.atom", "feed.rss", "feed.json", "feeds.opml", "themes/summits.atom", "themes/summits/index.html", "articles/003_9b9c189b77a28c48/index.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "wrote") {
		t.Errorf("stdout = %q", stdout)
	}
	if code, _, _ := runKdigest(t, nil, "build"); code != exitUsage {
		t.Errorf("build without --out: exit %d, want 2", code)
	}
}

// TestServeSaysWhereMailGoes checks that outbox mode (no --smtp) and a
// relay show in the start-up line, /healthz and "kdigest config", and
// that a schedule that is off is not logged as year 1.
func TestServeSaysWhereMailGoes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantLog  string
		wantMail mailMode
	}{
		{"outbox", nil, "mail=\"outbox mode (no --smtp): digests are written to ", mailMode{Mode: "outbox"}},
		{"relay", []string{"--smtp", "smtp://ann:s3cret@127.0.0.1:2525?tls=none"}, "mail=\"SMTP relay 127.0.0.1:2525 (TLS: none)\"", mailMode{Mode: "smtp", Relay: "127.0.0.1:2525", TLS: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, logText := startServeLog(t, seedsDir(t), tt.args...)
			log := logText()
			if !strings.Contains(log, tt.wantLog) || !strings.Contains(log, "digest_next=off") || strings.Contains(log, "0001-01-01") {
				t.Errorf("start-up log lacks %q and digest_next=off, or has year 1:\n%s", tt.wantLog, log)
			}
			if strings.Contains(log, "s3cret") {
				t.Errorf("the log shows the password:\n%s", log)
			}
			var h struct {
				Status  string
				Mail    mailMode
				Storage storageStatus
			}
			if err := json.Unmarshal([]byte(get(t, base+"/healthz")), &h); err != nil {
				t.Fatal(err)
			}
			if h.Status != "ok" || !h.Storage.OK {
				t.Errorf("/healthz status %q, storage %+v; want ok", h.Status, h.Storage)
			}
			if h.Mail.Mode != tt.wantMail.Mode || h.Mail.Relay != tt.wantMail.Relay || h.Mail.TLS != tt.wantMail.TLS || (h.Mail.Mode == "outbox") != strings.HasSuffix(h.Mail.Outbox, "outbox") {
				t.Errorf("/healthz mail = %+v, want %+v", h.Mail, tt.wantMail)
			}
			code, stdout, stderr := runKdigest(t, nil, append([]string{"config"}, tt.args...)...)
			if code != exitOK || !strings.Contains(stdout, "\nmail: "+strings.TrimPrefix(strings.Trim(tt.wantLog, "\""), "mail=\"")) {
				t.Errorf("config: exit %d, want the mail line %q:\n%s%s", code, tt.wantLog, stdout, stderr)
			}
		})
	}
}

// TestBuildFeedID builds twice into one data folder: a new base URL moves
// the links but not the ids, which the first run fixed; --feed-id (or
// KDIGEST_FEED_ID) replaces them; build without --base-url warns.
func TestBuildFeedID(t *testing.T) {
	data := t.TempDir()
	feedID := func(out string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "feed.atom"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`<id>(tag:[^<]*)</id>`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no feed id in %s", b)
		}
		return string(m[1])
	}
	build := func(environ map[string]string, args ...string) (string, string) {
		t.Helper()
		out := t.TempDir()
		args = append([]string{"build", "--seeds", seedsDir(t), "--data", data, "--out", out}, args...)
		code, _, stderr := runKdigest(t, environ, args...)
		if code != exitOK {
			t.Fatalf("build %v: exit %d: %s", args, code, stderr)
		}
		return out, stderr
	}
	out, stderr := build(nil)
	if !strings.Contains(stderr, "--base-url is not set") || !strings.Contains(stderr, "http://127.0.0.1:8080") {
		t.Errorf("build without --base-url: stderr %q, want the warning", stderr)
	}
	first := feedID(out)
	if want := fmt.Sprintf("tag:127.0.0.1,%d:feed", time.Now().Year()); first != want {
		t.Errorf("first feed id = %q, want %q", first, want)
	}
	out, stderr = build(nil, "--base-url", "https://news.example.org")
	if strings.Contains(stderr, "warning") {
		t.Errorf("build with --base-url warns: %q", stderr)
	}
	if got := feedID(out); got != first {
		t.Errorf("feed id after a new base URL = %q, want %q", got, first)
	}
	out, _ = build(map[string]string{"KDIGEST_FEED_ID": "news.example.org,2026-12"}, "--base-url", "https://news.example.org")
	if got := feedID(out); got != "tag:news.example.org,2026-12:feed" {
		t.Errorf("feed id from KDIGEST_FEED_ID = %q", got)
	}
	if code, _, stderr := runKdigest(t, nil, "build", "--seeds", seedsDir(t), "--data", data, "--out", t.TempDir(), "--feed-id", "news.example.org"); code != exitUsage || !strings.Contains(stderr, "feed-id") {
		t.Errorf("a bad --feed-id: exit %d, stderr %q; want 2 naming it", code, stderr)
	}
}

// TestHubPasswordNotLogged checks that a failed WebSub ping to a hub whose
// URL carries a password logs the failure without the password.
func TestHubPasswordNotLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub := "http://ann:s3cret@" + ln.Addr().String() + "/hub"
	ln.Close() // nothing listens: the ping fails
	seeds := seedsDir(t)
	_, logText := startServeLog(t, seeds, "--websub-hub", hub)
	writeFile(t, filepath.Join(seeds, "new-1.txt"), newArticle(1))
	within(t, 5*time.Second, "websub ping failure logged", func() bool { return strings.Contains(logText(), "websub ping failed") })
	if log := logText(); strings.Contains(log, "s3cret") {
		t.Errorf("the log shows the hub's password:\n%s", log)
	}
}

// TestServeFollowsSidecars checks that a NAME.json written beside a seed
// that is already served reaches the feed without a rescan: the watcher
// hands it to the corpus, which reads its seed again.
func TestServeFollowsSidecars(t *testing.T) {
	seeds := seedsDir(t)
	base := startServe(t, seeds)
	const url = "https://www.aa.com.tr/en/world/joint-statement/2726130"
	writeFile(t, filepath.Join(seeds, "001_3d14f15a5a4da934.json"), `{"url": "`+url+`"}`)
	within(t, 10*time.Second, "the sidecar's url in /feed.atom", func() bool {
		return strings.Contains(get(t, base+"/feed.atom"), `href="`+url+`"`)
	})
}

// TestServeStopDuringFirstScan stops a restart while its first scan reads
// a thousand new files: the request in flight at the stop is answered, and
// serve returns nil, as a stop after the scan does.
func TestServeStopDuringFirstScan(t *testing.T) {
	data, seeds := t.TempDir(), seedsDir(t)
	if code, _, stderr := runKdigest(t, nil, "build", "--seeds", seeds, "--data", data, "--out", t.TempDir()); code != exitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	writeArchive(t, seeds, 1000)
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", data, "--rescan", "1h", "--digest-schedule", "off")
	logText, cancel, done := serveInBackground(t, c)
	defer cancel()
	serving := regexp.MustCompile(`serving the saved articles.*addr=(127\.0\.0\.1:\d+)`)
	var addr string
	within(t, 10*time.Second, "serving the saved articles", func() bool {
		if m := serving.FindStringSubmatch(logText()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	// A request whose body is still arriving when the stop comes.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	form := "email=reader%40example.org"
	fmt.Fprintf(nc, "POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(form), form[:5])
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	io.WriteString(nc, form[5:])
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(nc).ReadString('\n')
	if !strings.HasPrefix(status, "HTTP/1.1 2") {
		t.Errorf("the request in flight at the stop got %q (%v), want its answer", status, err)
	}
	if err := <-done; err != nil {
		t.Errorf("serve stopped during its first scan: %v, want nil", err)
	}
	if strings.Contains(logText(), "corpus loaded") {
		t.Log("the first scan ended before the stop: this run took the later path")
	}
}

// serveInBackground runs serve with c until cancel, returning its log so
// far and the channel its result comes on (the log is printed when the
// test fails).
func serveInBackground(t *testing.T, c *config) (func() string, context.CancelFunc, chan error) {
	t.Helper()
	var stderr bytes.Buffer
	logw := &syncWriter{w: &stderr}
	logText := func() string { logw.mu.Lock(); defer logw.mu.Unlock(); return stderr.String() }
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", logText())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: logw}, c, nil) }()
	return logText, cancel, done
}

// writeArchive writes n distinct copies of the seeds in dir (n0000.txt, …).
func writeArchive(t *testing.T, dir string, n int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for i := range n {
		b, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, fmt.Sprintf("n%04d.txt", i)), fmt.Sprintf("%s\n\nReference number %d of the archive.\n", b, i))
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServeStoppedWhileLoading checks that a stop that comes while the
// corpus loads (here, before serve even starts) ends serve as a stop:
// nil, not the load's "context canceled".
func TestServeStoppedWhileLoading(t *testing.T) {
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seedsDir(t), "--data", t.TempDir(), "--digest-schedule", "off")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard}, c, nil); err != nil {
		t.Errorf("serve stopped while loading: %v, want nil", err)
	}
}

// TestServeRestartOfAnotherReleaseServesNotItsFeeds checks that a new
// release does not start by serving the feeds the old one saved. The
// Docker image is built without .git (.dockerignore) and names its
// commit with -X main.revision (.ci/build): the build information has no
// vcs.revision, so every image had the same key and a new image served
// the old image's documents, ETags and all, while it loaded.
func TestServeRestartOfAnotherReleaseServesNotItsFeeds(t *testing.T) {
	defer func(r string) { revision = r }(revision)
	data, seeds := t.TempDir(), seedsDir(t)
	revision = "1111111"
	c := testConfig(t, "--addr", "127.0.0.1:0", "--seeds", seeds, "--data", data, "--digest-schedule", "off")
	serveOnce(t, c)
	revision = "2222222" // the next image
	_, logText := startServeLog(t, seeds, "--data", data)
	if strings.Contains(logText(), "serving the saved feeds") {
		t.Errorf("release 2222222 served the feeds release 1111111 saved:\n%s", logText())
	}
}

// serveOnce runs serve with c until it serves, then stops it: a first
// run, whose saved state the test's next run starts from.
func serveOnce(t *testing.T, c *config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serve(ctx, env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard}, c, ready) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("first run: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("first run: %v", err)
	}
}
