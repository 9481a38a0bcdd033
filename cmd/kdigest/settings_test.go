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
