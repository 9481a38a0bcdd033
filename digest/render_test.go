package digest_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + a + "\nwant: " + b
		}
	}
	return ""
}

func TestGoldenDigest(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	path := filepath.Join(t.TempDir(), "digest.html")
	is, err := d.Preview(context.Background(), path, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if is.Stories < 1 || len(is.Sections) < 1 {
		t.Fatalf("issue has %d stories in %d sections", is.Stories, len(is.Sections))
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(strings.TrimSuffix(path, ".html") + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "digest.html.golden", html)
	golden(t, "digest.txt.golden", text)
}

func TestGoldenIsWhatIsSent(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	_, msgs := sendToThree(t, e, d)
	want, err := os.ReadFile(filepath.Join("testdata", "digest.txt.golden"))
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, msgs[0].Data)
	// The sent copy differs from the preview only by the recipient's tokens.
	tok := unsubscribeToken(t, strings.TrimPrefix(strings.Split(p.Header.Get("List-Unsubscribe"), ">")[0], "<"))
	got := strings.ReplaceAll(p.Text, tok, "PREVIEW")
	prefs := regexp.MustCompile(`/preferences\?t=\S+`)
	if !prefs.MatchString(got) {
		t.Errorf("sent text part has no preferences link:\n%s", got)
	}
	got = prefs.ReplaceAllString(got, "/preferences?t=PREVIEW")
	if got != string(want) {
		t.Errorf("sent text part differs from the golden preview:\n%s", firstDiff(got, string(want)))
	}
}

func TestTemplateOverride(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string // substrings of New's error; none: New succeeds
		wantIn  string   // in the rendered HTML when New succeeds
	}{
		{"unclosed action", map[string]string{"digest.html.tmpl": "<p>\n{{.Name}}\n{{.Period</p>\n"}, []string{"digest.html.tmpl", ":3:"}, ""},
		{"unknown function", map[string]string{"digest.txt.tmpl": "{{.Name}}\n\n{{shout .Period}}\n"}, []string{"digest.txt.tmpl", ":3:", "shout"}, ""},
		{"unknown field", map[string]string{"digest.html.tmpl": "<p>\n{{.Nope}}</p>\n"}, []string{"digest.html.tmpl", ":2:", "Nope"}, ""},
		{"bad html context", map[string]string{"digest.html.tmpl": "<a href=\"{{.WebURL}}\n"}, []string{"digest.html.tmpl"}, ""},
		{"good override", map[string]string{"digest.html.tmpl": "<h1>{{.Subject}}</h1>\n"}, nil, "<h1>Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles</h1>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			// Templates come from a folder, as --templates gives them.
			dir := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr),
				e.options(func(o *digest.Options) { o.Templates = os.DirFS(dir) }))
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("New succeeded, want an error naming %v", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "p.html")
			if _, err := d.Preview(context.Background(), path, digest.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(path); !strings.Contains(string(b), tc.wantIn) {
				t.Errorf("preview = %q, want %q", b, tc.wantIn)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*digest.Options)
		want string
	}{
		{"short secret", func(o *digest.Options) { o.Secret = []byte("short") }, "secret"},
		{"no from", func(o *digest.Options) { o.From = nil }, "no from address"},
		{"unreadable template folder", func(o *digest.Options) { o.Templates = os.DirFS("/proc/self/nonexistent\x00") }, "digest template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr), e.options(tc.mod))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

// TestReadAtTheOriginal checks that an article whose page states its
// original address (here a NAME.json sidecar) is offered as "Read at
// OUTLET" in both parts of the digest, the text part by a footnote.
func TestReadAtTheOriginal(t *testing.T) {
	e := newEnv(t)
	const original = "https://www.aa.com.tr/en/world/leaders-agree-on-joint-statement/2726130"
	sidecar := filepath.Join(e.seeds, "001_3d14f15a5a4da934.json")
	if err := os.WriteFile(sidecar, []byte(`{"url": "`+original+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := e.digest(t)
	path := filepath.Join(t.TempDir(), "digest.html")
	if _, err := d.Preview(context.Background(), path, digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(strings.TrimSuffix(path, ".html") + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := `href="` + original + `" style="color:#0b57d0;">Read at Anadolu Agency →</a>`; !strings.Contains(string(html), want) {
		t.Errorf("HTML part lacks %q", want)
	}
	if strings.Count(string(html), "Read at") != 1 {
		t.Errorf("HTML part offers %d originals, want 1 (only one article states it)", strings.Count(string(html), "Read at"))
	}
	m := regexp.MustCompile(`Read at Anadolu Agency \[(\d+)\]`).FindStringSubmatch(string(text))
	if m == nil {
		t.Fatalf("text part lacks the Read at line:\n%s", text)
	}
	if want := "[" + m[1] + "] " + original; !strings.Contains(string(text), want) {
		t.Errorf("text part's links lack %q:\n%s", want, text)
	}
}
