package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidSettingsExitTwoEverywhere checks that every command sharing
// the service's settings refuses the same bad value, with exit 2, one line
// naming the setting and a pointer to the help, before touching the data
// folder.
func TestInvalidSettingsExitTwoEverywhere(t *testing.T) {
	settings := []struct {
		name  string
		flags []string
		want  string
	}{
		{"bad cron", []string{"--digest-schedule", "0 8 * * 9"}, "digest-schedule (from flag --digest-schedule): invalid digest schedule"},
		{"negative @every", []string{"--digest-schedule", "@every -5s"}, "at least 1m"},
		{"zero @every", []string{"--digest-schedule", "@every 0s"}, "at least 1m"},
		{"never fires", []string{"--digest-schedule", "0 8 30 2 *"}, "never fires"},
		{"http smtp url", []string{"--smtp", "http://mail.example.org"}, "smtp (from flag --smtp): smtp url \"http://mail.example.org\": scheme must be smtp or smtps"},
		{"tls=none to a remote host", []string{"--smtp", "smtp://mail.example.org:25?tls=none"}, "tls=none is allowed only for a loopback relay"},
		{"bad from", []string{"--from", "digest at example.org"}, "from (from flag --from): want an address"},
		{"from without a domain", []string{"--from", "Digest <digest@>"}, "from (from flag --from)"},
		{"bad unsubscribe-mailto", []string{"--unsubscribe-mailto", "not an address"}, "unsubscribe-mailto (from flag --unsubscribe-mailto): want an email address"},
		{"dkim key that is not a key", []string{"--dkim-key", "settings_test.go", "--dkim-selector", "s1"}, "dkim-key (from flag --dkim-key): settings_test.go: dkim key"},
		{"templates folder missing", []string{"--templates", "nope"}, "templates (from flag --templates): nope is not a folder"},
		{"bad boolean", []string{"--include-irrelevant=maybe"}, `want true or false, got "maybe"`},
		// The corpus refuses a base URL without a host name: so must every command.
		{"base url without a host", []string{"--base-url", "http://:8080"}, `base-url (from flag --base-url): want an absolute http(s) URL`},
	}
	commands := [][]string{
		{"config"},
		{"serve", "--addr", "127.0.0.1:0"},
		{"digest", "--dry-run"},
		{"digests"},
		{"subscribers", "list"},
		{"build", "--out", "public"},
	}
	for _, s := range settings {
		for _, cmd := range commands {
			t.Run(s.name+"/"+cmd[0], func(t *testing.T) {
				data := filepath.Join(t.TempDir(), "data")
				args := append(append(append([]string{}, cmd...), "--data", data, "--seeds", "../../seeds"), s.flags...)
				code, _, stderr := runKdigest(t, nil, args...)
				if code != exitUsage {
					t.Errorf("exit %d, want 2; stderr %q", code, stderr)
				}
				if !strings.Contains(stderr, s.want) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, s.want)
				}
				if n := strings.Count(stderr, "\n"); n != 2 || !strings.HasSuffix(stderr, "Run 'kdigest help "+cmd[0]+"' for usage.\n") {
					t.Errorf("stderr has %d lines, want the error and the pointer to help:\n%s", n, stderr)
				}
				if _, err := os.Stat(data); err == nil {
					t.Errorf("the data folder was created despite the bad setting")
				}
			})
		}
	}
}

// TestSecretsNeverShown checks that a password in a bad URL never reaches
// the output, wherever the URL came from.
func TestSecretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kdigest.toml")
	writeFile(t, file, "smtp = \"smtp://ann:s3cret@mail.example.org:abc\"\n")
	secretFile := filepath.Join(dir, "smtp-secret")
	writeFile(t, secretFile, "smtp://ann:s3cret@mail.example.org:abc\n")
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
	}{
		{"flag, bad port", nil, []string{"--smtp", "smtp://ann:s3cret@mail.example.org:abc"}},
		{"flag, bad scheme", nil, []string{"--smtp", "http://ann:s3cret@mail.example.org"}},
		{"flag, not a URL", nil, []string{"--smtp", "smtp://ann:s3cret@[::1"}},
		{"flag, tls=none remote", nil, []string{"--smtp", "smtp://ann:s3cret@mail.example.org?tls=none"}},
		{"environment", map[string]string{"KDIGEST_SMTP": "smtp://ann:s3cret@mail.example.org:abc"}, nil},
		{"secret file", map[string]string{"KDIGEST_SMTP_FILE": secretFile}, nil},
		{"config file", nil, []string{"--config", file}},
		{"base url", nil, []string{"--base-url", "ftp://ann:s3cret@news.example.org"}},
		{"websub hub", nil, []string{"--websub-hub", "//ann:s3cret@hub.example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cmd := range []string{"config", "digest"} {
				code, stdout, stderr := runKdigest(t, tt.environ, append([]string{cmd, "--data", t.TempDir(), "--seeds", "../../seeds"}, tt.args...)...)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want 2; stderr %q", cmd, code, stderr)
				}
				if strings.Contains(stdout+stderr, "s3cret") {
					t.Errorf("%s: the password is shown:\n%s%s", cmd, stdout, stderr)
				}
			}
		})
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"smtp://ann:s3cret@mail.example.org:587", "smtp://ann:********@mail.example.org:587"},
		{"smtp://ann:s3cret@mail.example.org:abc", "smtp://ann:********@mail.example.org:abc"},
		{"smtp://ann:p@ss:w/rd@mail.example.org", "smtp://ann:********@mail.example.org"},
		{"smtp://ann@mail.example.org", "smtp://ann@mail.example.org"},
		{"smtp://mail.example.org:25", "smtp://mail.example.org:25"},
		{"//ann:s3cret@hub.example.org", "//ann:********@hub.example.org"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := maskURL(tt.in); got != tt.want {
			t.Errorf("maskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSecretFiles checks KDIGEST_SMTP_FILE and KDIGEST_DKIM_KEY_FILE, the
// container-secret twins of KDIGEST_SMTP and KDIGEST_DKIM_KEY.
func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	smtpFile := filepath.Join(dir, "smtp")
	writeFile(t, smtpFile, "smtp://ann:s3cret@mail.example.org:587\n")
	keyFile := dkimKeyFile(t, dir)

	environ := map[string]string{"KDIGEST_SMTP_FILE": smtpFile, "KDIGEST_DKIM_KEY_FILE": keyFile, "KDIGEST_DKIM_SELECTOR": "s1", "KDIGEST_FROM": "digest@example.org"}
	code, stdout, stderr := runKdigest(t, environ, "config")
	if code != exitOK {
		t.Fatalf("config: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"smtp://ann:********@mail.example.org:587",
		"environment KDIGEST_SMTP_FILE (" + smtpFile + ")",
		keyFile,
		"environment KDIGEST_DKIM_KEY_FILE",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "s3cret") {
		t.Errorf("the password is shown:\n%s", stdout)
	}

	bad := []struct {
		name    string
		environ map[string]string
		want    string
	}{
		{"both smtp variables", map[string]string{"KDIGEST_SMTP_FILE": smtpFile, "KDIGEST_SMTP": "smtp://mail.example.org"}, "set KDIGEST_SMTP or KDIGEST_SMTP_FILE, not both"},
		{"missing secret file", map[string]string{"KDIGEST_SMTP_FILE": filepath.Join(dir, "nope")}, filepath.Join(dir, "nope")},
		{"both dkim variables", map[string]string{"KDIGEST_DKIM_KEY_FILE": keyFile, "KDIGEST_DKIM_KEY": keyFile, "KDIGEST_DKIM_SELECTOR": "s1"}, "not both"},
		{"missing dkim key file", map[string]string{"KDIGEST_DKIM_KEY_FILE": filepath.Join(dir, "nope.pem"), "KDIGEST_DKIM_SELECTOR": "s1"}, "nope.pem"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runKdigest(t, tt.environ, "config")
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestUnknownEnvironmentVariables(t *testing.T) {
	environ := map[string]string{"KDIGEST_FEEDSIZE": "5", "KDIGEST_SMPT": "smtp://x", "KDIGEST_FEED_SIZE": "7", "KDIGEST_COLOUR": "red", "HOME": "/root"}
	code, stdout, stderr := runKdigest(t, environ, "config")
	if code != exitOK {
		t.Fatalf("config: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"warning: environment variable KDIGEST_FEEDSIZE is not a kdigest setting: ignored (did you mean KDIGEST_FEED_SIZE?)",
		"warning: environment variable KDIGEST_SMPT is not a kdigest setting: ignored (did you mean KDIGEST_SMTP?)",
		"warning: environment variable KDIGEST_COLOUR is not a kdigest setting: ignored\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "KDIGEST_FEED_SIZE is not") || strings.Contains(stderr, "HOME") {
		t.Errorf("a known or foreign variable is warned about:\n%s", stderr)
	}
	if !strings.Contains(stdout, "feed-size           7") {
		t.Errorf("the known variable is not used:\n%s", stdout)
	}
}

// TestBooleanSettingsStandAlone checks that --include-irrelevant works
// bare, in the middle of a command line, and with =false.
func TestBooleanSettingsStandAlone(t *testing.T) {
	tests := []struct {
		args     []string
		want     bool
		wantSize int
	}{
		{[]string{"--include-irrelevant"}, true, 50},
		{[]string{"--include-irrelevant", "--feed-size", "5"}, true, 5},
		{[]string{"--feed-size", "5", "--include-irrelevant"}, true, 5},
		{[]string{"--include-irrelevant=false", "--feed-size", "5"}, false, 5},
		{[]string{"--include-irrelevant=true"}, true, 50},
	}
	for _, tt := range tests {
		c := testConfig(t, tt.args...)
		if c.IncludeIrrelevant != tt.want || c.FeedSize != tt.wantSize {
			t.Errorf("%q: include-irrelevant %v, feed-size %d; want %v and %d", tt.args, c.IncludeIrrelevant, c.FeedSize, tt.want, tt.wantSize)
		}
	}
	code, stdout, stderr := runKdigest(t, nil, "config", "--include-irrelevant", "--feed-size", "5")
	if code != exitOK || !strings.Contains(stdout, "include-irrelevant  true") || !strings.Contains(stdout, "feed-size           5") {
		t.Errorf("config --include-irrelevant --feed-size 5: exit %d\n%s%s", code, stdout, stderr)
	}
}

// dkimKeyFile writes a new Ed25519 DKIM key (PEM) in dir and returns its path.
func dkimKeyFile(t *testing.T, dir string) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dkim.pem")
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	return path
}

// TestDKIMSignsWithTheFromDomain sends a one-off with --dkim-key and checks
// the signature's domain (d=) is the From address's, however the From is
// written: the address validate parsed is the one the signer is made from.
func TestDKIMSignsWithTheFromDomain(t *testing.T) {
	tests := []struct{ name, from string }{
		{"bare address", "digest@example.org"},
		{"display name", "Karabakh digest <digest@example.org>"},
		{"comment after the address", "digest@example.org (Karabakh digest)"},
		{"comment after the brackets", "Karabakh <digest@example.org> (weekly)"},
		{"upper-case domain", "digest@Example.ORG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"KDIGEST_DATA": data, "KDIGEST_SEEDS": seedsDir(t), "KDIGEST_FROM": tc.from,
				"KDIGEST_DKIM_KEY": dkimKeyFile(t, t.TempDir()), "KDIGEST_DKIM_SELECTOR": "s1"}
			if code, out, errOut := runKdigest(t, env, "digest", "--to", "ann@example.org", "--send-empty"); code != exitOK {
				t.Fatalf("digest --to: exit %d\n%s\n%s", code, out, errOut)
			}
			entries, err := os.ReadDir(filepath.Join(data, "outbox"))
			if err != nil || len(entries) != 1 {
				t.Fatalf("outbox = %v, %v; want one message", entries, err)
			}
			eml, err := os.ReadFile(filepath.Join(data, "outbox", entries[0].Name()))
			if err != nil {
				t.Fatal(err)
			}
			sig := dkimSignature(string(eml))
			if !strings.Contains(sig, " d=example.org;") || !strings.Contains(sig, " s=s1;") {
				t.Errorf("DKIM-Signature = %q, want d=example.org and s=s1", sig)
			}
		})
	}
}

// dkimSignature returns the DKIM-Signature header of a message, unfolded,
// or "".
func dkimSignature(eml string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(eml, "\r\n", "\n"), "\n\n")
	head = strings.ReplaceAll(head, "\n ", " ")
	head = strings.ReplaceAll(head, "\n\t", " ")
	for _, line := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(line, "DKIM-Signature:"); ok {
			return v
		}
	}
	return ""
}

// TestAddrWithoutHostGivesAUsableBaseURL checks that --addr :8080 (every
// interface, the usual way to say it) without --base-url makes links that
// work: "config" showed base-url http://:8080 and accepted it, while
// "build" and "serve" then failed with "open corpus: base URL must be an
// absolute http or https URL" (exit 1, after creating the database).
func TestAddrWithoutHostGivesAUsableBaseURL(t *testing.T) {
	for _, addr := range []string{":8080", "0.0.0.0:8080", "[::]:8080"} {
		t.Run(addr, func(t *testing.T) {
			code, stdout, stderr := runKdigest(t, nil, "config", "--data", filepath.Join(t.TempDir(), "data"), "--addr", addr)
			if code != exitOK {
				t.Fatalf("config: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "http://127.0.0.1:8080") {
				t.Errorf("config shows no usable base-url for --addr %s:\n%s", addr, stdout)
			}
			out := t.TempDir()
			code, _, stderr = runKdigest(t, nil, "build", "--seeds", seedsDir(t), "--data", t.TempDir(), "--out", out, "--addr", addr)
			if code != exitOK {
				t.Fatalf("build --addr %s: exit %d: %s", addr, code, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, "feed.atom"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `href="http://127.0.0.1:8080/feed.atom"`) {
				t.Errorf("feed.atom links elsewhere than http://127.0.0.1:8080:\n%.600s", b)
			}
		})
	}
}

// TestDurationErrorsGiveAnExampleThatWorks checks that a refused duration
// is answered with an example the setting accepts: --window 10m was told
// "want a duration of at least 1h0m0s such as 10m or 168h".
func TestDurationErrorsGiveAnExampleThatWorks(t *testing.T) {
	tests := []struct {
		flag, value, want string
	}{
		{"--window", "10m", `window (from flag --window): want a duration of at least 1h such as 168h, got "10m"`},
		{"--rescan", "1ms", `rescan (from flag --rescan): want a duration of at least 1s such as 10m, got "1ms"`},
	}
	for _, tc := range tests {
		t.Run(tc.flag, func(t *testing.T) {
			code, _, stderr := runKdigest(t, nil, "config", "--data", filepath.Join(t.TempDir(), "data"), tc.flag, tc.value)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// TestBadThemesFileRefusedLikeEveryOtherSetting checks that a --themes
// file that is missing or malformed is refused as README says of every
// setting: "kdigest config" accepted it (exit 0), so an operator checking
// the configuration was told it was fine, while serve, digest, digests,
// build and backup stopped with "load themes: ..." and exit 1.
func TestBadThemesFileRefusedLikeEveryOtherSetting(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("name = \"x\"\n[[theme]]\nid = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []struct{ name, path, want string }{
		{"missing", "nope.toml", "themes (from flag --themes): load themes: open nope.toml"},
		{"malformed", bad, "themes (from flag --themes): " + bad + ": toml: line 3"},
	}
	commands := [][]string{
		{"config"},
		{"serve", "--addr", "127.0.0.1:0"},
		{"digest", "--dry-run"},
		{"digests"},
		{"build", "--out", "public"},
		{"backup", "b.db"},
	}
	for _, f := range files {
		for _, cmd := range commands {
			t.Run(f.name+"/"+cmd[0], func(t *testing.T) {
				data := filepath.Join(t.TempDir(), "data")
				args := append(append([]string{}, cmd...), "--data", data, "--seeds", "../../seeds", "--themes", f.path)
				code, _, stderr := runKdigest(t, nil, args...)
				if code != exitUsage || !strings.Contains(stderr, f.want) {
					t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, f.want)
				}
				if _, err := os.Stat(data); err == nil {
					t.Errorf("the data folder was created despite the bad setting")
				}
			})
		}
	}
}

// TestBadTemplateRefusedBeforeAnythingIsOpened checks that a --templates
// folder whose digest template does not parse is refused by every command
// as a bad setting: "kdigest config" accepted it, and serve and digest
// created the data folder (database and token secret) before refusing it
// with exit 1.
func TestBadTemplateRefusedBeforeAnythingIsOpened(t *testing.T) {
	tpl := t.TempDir()
	if err := os.WriteFile(filepath.Join(tpl, "digest.html.tmpl"), []byte("<p>{{.Nope</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "templates (from flag --templates): digest template digest.html.tmpl (from --templates): template: digest.html.tmpl:1:"
	for _, cmd := range [][]string{{"config"}, {"serve", "--addr", "127.0.0.1:0"}, {"digest", "--dry-run"}, {"digests"}} {
		t.Run(cmd[0], func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			args := append(append([]string{}, cmd...), "--data", data, "--seeds", "../../seeds", "--templates", tpl)
			code, _, stderr := runKdigest(t, nil, args...)
			if code != exitUsage || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
			}
			if _, err := os.Stat(data); err == nil {
				t.Errorf("the data folder was created despite the bad setting")
			}
		})
	}
}
