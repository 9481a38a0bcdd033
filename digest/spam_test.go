package digest_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestOutboxMessageSpamScore writes one digest with the outbox sender and,
// when spamassassin is installed, scores it (local tests only, -L, so the
// result does not depend on the network).
func TestOutboxMessageSpamScore(t *testing.T) {
	tests := []struct {
		name   string
		themes []string
	}{
		{"every theme", nil},
		{"a subscriber's themes", []string{"security", "humanitarian"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { spamScore(t, tc.themes) })
	}
}

// spamScore sends one digest to a subscriber of the themes through the
// outbox and scores the .eml with spamassassin.
func spamScore(t *testing.T, themes []string) {
	e := newEnv(t)
	outbox := filepath.Join(t.TempDir(), "outbox")
	d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot,
		func() (digest.Sender, error) { return digest.NewOutboxSender(outbox, nil) }, e.options())
	if err != nil {
		t.Fatal(err)
	}
	subscribeWith(t, d, "ann@example.org", digest.Subscription{Themes: themes})
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 1 {
		t.Fatalf("run = %+v, %v", rep, err)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox holds %v, want one .eml", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, raw)
	if p.Header.Get("List-Unsubscribe-Post") == "" || p.Text == "" || p.HTML == "" {
		t.Fatalf("outbox message is incomplete: %v", p.Header)
	}
	if strings.HasSuffix(files[0], ".part.eml") || !strings.Contains(files[0], "_at_kdigest.example.org") {
		t.Errorf("outbox file name = %s", filepath.Base(files[0]))
	}
	checkSpamScore(t, raw)
}

// TestWelcomeSpamScore scores the welcome message (text only), as the
// queue sends it after a confirmation.
func TestWelcomeSpamScore(t *testing.T) {
	e := newEnv(t)
	outbox := filepath.Join(t.TempDir(), "outbox")
	d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot,
		func() (digest.Sender, error) { return digest.NewOutboxSender(outbox, nil) }, e.options())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.SendConfirmation(ctx, "ann@example.org", []string{"summits"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox holds %v, want the confirmation", files)
	}
	confirmation, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Confirm(ctx, confirmToken(t, receivedMessage{Data: confirmation})); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SendDueConfirmations(ctx); err != nil {
		t.Fatal(err)
	}
	files, _ = filepath.Glob(filepath.Join(outbox, "*.eml"))
	var welcome []byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(parseMessage(t, raw).Subject, "Welcome to") {
			welcome = raw
		}
	}
	if len(files) != 2 || welcome == nil {
		t.Fatalf("outbox holds %v, want the confirmation and the welcome", files)
	}
	checkSpamScore(t, welcome)
}

// checkSpamScore wants spamassassin's score of a message at most 2.0,
// with no rule about missing headers or HTML alone.
func checkSpamScore(t *testing.T, raw []byte) {
	t.Helper()
	bin, err := exec.LookPath("spamassassin")
	if err != nil {
		t.Skip("spamassassin is not installed")
	}
	cmd := exec.Command(bin, "-t", "-L")
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.Output() // exits non-zero when the message is spam
	if len(out) == 0 {
		t.Fatalf("spamassassin: %v", err)
	}
	score, rules := spamReport(t, out)
	t.Logf("spamassassin score %.1f, rules %v", score, rules)
	if score > 2.0 {
		t.Errorf("spam score %.1f > 2.0 (rules %v)", score, rules)
	}
	for _, r := range rules {
		if strings.HasPrefix(r, "MISSING_") || strings.Contains(r, "HTML_ONLY") || strings.HasPrefix(r, "MIME_HTML") {
			t.Errorf("spamassassin rule %s fired", r)
		}
	}
}

// spamReport reads the score and the rule names from the X-Spam-Status
// header spamassassin adds.
func spamReport(t *testing.T, out []byte) (float64, []string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^X-Spam-Status: \w+, score=(-?[\d.]+) required=[\d.]+ tests=((?:[^\n]|\n[ \t])*)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no X-Spam-Status in spamassassin output:\n%s", out)
	}
	score, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, r := range strings.Split(string(m[2]), ",") {
		if r = strings.TrimSpace(strings.Fields(r + " autolearn")[0]); r != "" && r != "none" {
			rules = append(rules, r)
		}
	}
	return score, rules
}
