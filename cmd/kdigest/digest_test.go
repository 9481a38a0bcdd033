package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSubscribersCommand(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data}
	if code, out, errOut := runKdigest(t, env, "subscribers", "add", "Ann@Example.org", "bob@example.org"); code != exitOK || !strings.Contains(out, "added ann@example.org") {
		t.Fatalf("add: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := runKdigest(t, env, "subscribers", "add", "ann@example.org"); code != exitFailure || !strings.Contains(errOut, "already subscribed") {
		t.Errorf("duplicate: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runKdigest(t, env, "subscribers", "add", "not an address"); code != exitFailure || !strings.Contains(errOut, "invalid email address") {
		t.Errorf("invalid: exit %d, %q", code, errOut)
	}
	// The address: accepted once, stored as "m m@example.org", which nobody can send to.
	if code, _, errOut := runKdigest(t, env, "subscribers", "add", `"m m"@example.org`); code != exitFailure || !strings.Contains(errOut, "invalid email address") {
		t.Errorf(`add "m m"@example.org: exit %d, %q`, code, errOut)
	}
	code, out, _ := runKdigest(t, env, "subscribers", "list", "--json")
	var subs []struct{ Email string }
	if err := json.Unmarshal([]byte(out), &subs); code != exitOK || err != nil || len(subs) != 2 || subs[0].Email != "ann@example.org" {
		t.Errorf("list: exit %d, %v, %q", code, err, out)
	}
	if code, _, errOut := runKdigest(t, env, "subscribers", "remove", "carol@example.org"); code != exitFailure || !strings.Contains(errOut, "not subscribed") {
		t.Errorf("remove unknown: exit %d, %q", code, errOut)
	}
	if code, _, _ := runKdigest(t, env, "subscribers", "remove", "bob@example.org"); code != exitOK {
		t.Errorf("remove: exit %d", code)
	}
	for _, args := range [][]string{{"subscribers"}, {"subscribers", "frob"}, {"subscribers", "add"}} {
		if code, _, _ := runKdigest(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestDigestCommandToOutbox(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data, "KDIGEST_SEEDS": seedsDir(t), "KDIGEST_FROM": "Karabakh digest <digest@example.org>",
		"KDIGEST_WINDOW": "87600h"}
	runKdigest(t, env, "subscribers", "add", "ann@example.org")

	code, out, errOut := runKdigest(t, env, "digest", "--dry-run")
	if code != exitOK || !strings.Contains(out, "Dry run") || !strings.Contains(out, "ann@example.org") || !strings.Contains(out, "Summits and talks") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, "Sent digest") {
		t.Errorf("dry run reports a send:\n%s", out)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "outbox")); len(entries) != 0 {
		t.Fatal("dry run wrote to the outbox")
	}
	preview := filepath.Join(t.TempDir(), "d.html")
	if code, _, errOut := runKdigest(t, env, "digest", "--preview", preview); code != exitOK {
		t.Fatalf("preview: exit %d: %s", code, errOut)
	}
	for _, f := range []string{preview, strings.TrimSuffix(preview, ".html") + ".txt"} {
		if b, err := os.ReadFile(f); err != nil || !strings.Contains(string(b), "Karabakh diplomacy weekly") {
			t.Errorf("preview file %s: %v", f, err)
		}
	}

	code, out, errOut = runKdigest(t, env, "digest")
	if code != exitOK || !strings.Contains(out, "to 1 of 1") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	entries, _ := os.ReadDir(filepath.Join(data, "outbox"))
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".eml") {
		t.Fatalf("outbox = %v, want one .eml", entries)
	}
	eml, _ := os.ReadFile(filepath.Join(data, "outbox", entries[0].Name()))
	for _, h := range []string{"List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Auto-Submitted: auto-generated", "To: <ann@example.org>"} {
		if !strings.Contains(string(eml), h) {
			t.Errorf("message lacks %q", h)
		}
	}
	// Run again: nothing new, nothing sent, exit 0.
	code, out, _ = runKdigest(t, env, "digest")
	if code != exitOK || !strings.Contains(out, "Nothing new") {
		t.Errorf("second run: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"digest", "--since", "yesterday"}, {"digest", "--to", "nope"}, {"digest", "--resend", "x"}, {"digest", "--dry-run", "--preview", "x.html"}} {
		if code, _, _ := runKdigest(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestParseSince(t *testing.T) {
	yerevan, err := time.LoadLocation("Asia/Yerevan")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"2026-11-16", time.Date(2026, 11, 16, 0, 0, 0, 0, yerevan), ""},
		{"2026-11-16T08:00:00Z", time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC), ""},
		{"2026-11-23T12:00:00+04:00", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), ""}, // exactly now
		{"2026-11-24", time.Time{}, "in the future"},
		{"2026-11-23T09:00:00Z", time.Time{}, "in the future"},
		{"yesterday", time.Time{}, "want a date such as 2026-11-16"},
		{"2026-13-01", time.Time{}, "want a date"},
	}
	for _, tc := range tests {
		got, err := parseSince(tc.in, yerevan, now)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("parseSince(%q) = %v, %v, want an error naming it and saying %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseSince(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

// outboxEnv is a data folder with one subscriber and the digest going to
// the outbox.
func outboxEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data, "KDIGEST_SEEDS": seedsDir(t), "KDIGEST_FROM": "Karabakh digest <digest@example.org>",
		"KDIGEST_WINDOW": "87600h"}
	if code, _, errOut := runKdigest(t, env, "subscribers", "add", "ann@example.org"); code != exitOK {
		t.Fatal(errOut)
	}
	return env, data
}

func TestDigestsCommand(t *testing.T) {
	env, _ := outboxEnv(t)
	if code, _, errOut := runKdigest(t, env, "digests"); code != exitOK || !strings.Contains(errOut, "no digests") {
		t.Errorf("digests before any: exit %d, %q", code, errOut)
	}
	if code, out, _ := runKdigest(t, env, "digests", "--json"); code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("digests --json before any: exit %d, %q", code, out)
	}
	if code, out, errOut := runKdigest(t, env, "digest", "--since", "2000-01-01"); code != exitOK || !strings.Contains(out, "to 1 of 1") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runKdigest(t, env, "digest", "--to", "ed@example.org", "--send-empty"); code != exitOK || !strings.Contains(out, "Sent digest to-") {
		t.Fatalf("one-off: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := runKdigest(t, env, "digests")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[0], "IN DOUBT") {
		t.Fatalf("digests: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.HasPrefix(lines[1], "to-") || !strings.Contains(lines[2], "manual") || !strings.Contains(lines[2], "2000-01-01 00:00 – ") || !strings.Contains(lines[2], "done") {
		t.Errorf("digests rows:\n%s", out)
	}
	code, out, _ = runKdigest(t, env, "digests", "--json")
	var list []struct {
		ID, Kind, Status string
		Sent             int
		InDoubt          int `json:"in_doubt"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != exitOK || err != nil || len(list) != 2 || list[1].Sent != 1 || list[1].Status != "done" {
		t.Fatalf("digests --json: exit %d, %v\n%s", code, err, out)
	}
	code, out, errOut = runKdigest(t, env, "digests", list[1].ID)
	if code != exitOK || !strings.Contains(out, "ann@example.org") || !strings.Contains(out, "sent") || !strings.Contains(out, "MESSAGE-ID") {
		t.Errorf("digests ID: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runKdigest(t, env, "digests", "1999-01-01-000000"); code != exitFailure || !strings.Contains(errOut, "no such digest") {
		t.Errorf("digests of an unknown id: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"digests", "--limit", "0"}, {"digests", "a", "b"}, {"digest", "--since", "2999-01-01"}} {
		if code, _, _ := runKdigest(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestDigestBusyAcrossProcesses holds the send lock as another process
// would (flock on the data folder's lock file): `kdigest digest` exits 1
// at once, says so, and sends nothing.
func TestDigestBusyAcrossProcesses(t *testing.T) {
	env, data := outboxEnv(t)
	f, err := os.OpenFile(filepath.Join(data, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	f.WriteString("pid 4242 since 2026-11-23T08:00:00Z")
	code, out, errOut := runKdigest(t, env, "digest")
	if code != exitFailure || !strings.Contains(errOut, "another digest run is sending right now (pid 4242") {
		t.Errorf("digest beside a live run: exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "outbox")); len(entries) != 0 {
		t.Errorf("a refused run wrote %d messages", len(entries))
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if code, out, errOut := runKdigest(t, env, "digest"); code != exitOK || !strings.Contains(out, "to 1 of 1") {
		t.Errorf("digest once the lock is free: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestSIGTERMDuringStartupResume is the shutdown case, run as an
// operator would with the real binary and real signals: a manual digest is
// stopped by SIGTERM mid-send; `serve` resumes it at start and gets SIGTERM
// mid-send too; each waits for the message in flight, records it and
// exits; the next start finishes the digest. Everyone gets it once.
func TestSIGTERMDuringStartupResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kdigest")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	mail, addr := startSMTP(t, 300*time.Millisecond)
	seeds, data := seedsDir(t), t.TempDir()
	recipients := []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org", "f@example.org", "g@example.org", "h@example.org"}
	if code, _, stderr := runKdigest(t, map[string]string{"KDIGEST_DATA": data}, append([]string{"subscribers", "add"}, recipients...)...); code != exitOK {
		t.Fatal(stderr)
	}
	got := func() int {
		mail.mu.Lock()
		defer mail.mu.Unlock()
		n := 0
		for _, c := range mail.got {
			n += c
		}
		return n
	}
	common := []string{"--seeds", seeds, "--data", data, "--smtp", "smtp://" + addr + "?tls=none", "--from", "digest@example.org",
		"--window", "87600h", "--log-level", "error"}
	// start runs the binary and sends it SIGTERM once the server has
	// received more than `after` messages; it returns the exit code.
	start := func(after int, args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, append(args, common...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if after >= 0 {
			deadline := time.Now().Add(20 * time.Second)
			for got() <= after {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("%v: no message after %d\n%s", args, after, out.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGTERM)
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}
	consistent := func(when string) map[string]int {
		t.Helper()
		led := deliveries(t, data)
		if led["sent"] != got() {
			t.Errorf("%s: the ledger says %d sent, the server got %d", when, led["sent"], got())
		}
		return led
	}

	code, out := start(0, "digest")
	if led := consistent("after SIGTERM to digest"); code != exitFailure || !strings.Contains(out, "Interrupted") || led["pending"] == 0 {
		t.Fatalf("digest after SIGTERM: exit %d, ledger %v\n%s", code, led, out)
	}
	before := got()
	code, out = start(before, "serve", "--addr", "127.0.0.1:0", "--digest-schedule", "0 8 1 1 *")
	if led := consistent("after SIGTERM to serve"); code != exitOK || led["pending"] == 0 || got() <= before {
		t.Fatalf("serve after SIGTERM during the resume: exit %d, ledger %v\n%s", code, led, out)
	}
	// The third start finishes the digest; the test stops it once done.
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--digest-schedule", "0 8 1 1 *"}, common...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for deliveries(t, data)["sent"] < len(recipients) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("third serve: %v", err)
	}
	consistent("at the end")
	mail.mu.Lock()
	defer mail.mu.Unlock()
	for _, r := range recipients {
		if n := mail.got[r]; n != 1 {
			t.Errorf("%s got the digest %d times, want once", r, n)
		}
	}
}

// TestSecondSignalStopsAtOnce checks that a second SIGINT stops the
// process at once while the first one's graceful stop waits on a relay
// that takes its time to accept the message in flight (the graceful stop
// gives it 8 s, SMTPConfig.StopGrace).
func TestSecondSignalStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kdigest")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const relayDelay = 20 * time.Second
	_, addr := startSMTP(t, relayDelay)
	seeds, data := seedsDir(t), t.TempDir()
	if code, _, stderr := runKdigest(t, map[string]string{"KDIGEST_DATA": data}, "subscribers", "add", "a@example.org"); code != exitOK {
		t.Fatal(stderr)
	}
	cmd := exec.Command(bin, "digest", "--seeds", seeds, "--data", data, "--smtp", "smtp://"+addr+"?tls=none",
		"--from", "digest@example.org", "--window", "87600h", "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	time.Sleep(2 * time.Second) // the message is in the relay's hands by now
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	const bound = 4 * time.Second // half the graceful stop's grace
	select {
	case <-done:
	case <-time.After(bound):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the process was still running %s after a second SIGINT", bound)
	}
	t.Logf("stopped %s after the second SIGINT", time.Since(start).Round(time.Millisecond))
}

// TestResendDryRunSendsNothing: --dry-run promises to change nothing, and
// --preview to send nothing; given with --resend, neither may send the
// digest again (it did: `digest --resend 1 --to bob@example.org --dry-run`
// printed "Sent digest 1 … to 1 of 1" and mailed it). The combination is
// refused as a usage error, before anything is opened.
func TestResendDryRunSendsNothing(t *testing.T) {
	env, data := outboxEnv(t)
	if code, out, errOut := runKdigest(t, env, "digest", "--since", "2000-01-01"); code != exitOK || !strings.Contains(out, "to 1 of 1") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	outbox := filepath.Join(data, "outbox")
	before, _ := os.ReadDir(outbox)
	preview := filepath.Join(t.TempDir(), "d.html")
	for _, args := range [][]string{
		{"digest", "--resend", "1", "--to", "bob@example.org", "--dry-run"},
		{"digest", "--resend", "1", "--to", "bob@example.org", "--preview", preview},
	} {
		code, out, errOut := runKdigest(t, env, args...)
		if code != exitUsage || strings.Contains(out, "Sent digest") {
			t.Errorf("%v: exit %d, want 2\n%s\n%s", args, code, out, errOut)
		}
		if after, _ := os.ReadDir(outbox); len(after) != len(before) {
			t.Errorf("%v wrote %d message(s) to the outbox", args, len(after)-len(before))
		}
	}
}

// TestEmptyToSendsToNoSubscriber: `kdigest digest --to "$ADDR"` with
// the variable empty (or "," or a blank) meant no --to at all, so the
// test someone meant for themselves went to every subscriber. A --to
// naming no address is a usage error, and nothing is sent.
func TestEmptyToSendsToNoSubscriber(t *testing.T) {
	env, data := outboxEnv(t)
	for _, to := range []string{"", ",", " "} {
		code, out, errOut := runKdigest(t, env, "digest", "--to", to)
		if code != exitUsage || strings.Contains(out, "Sent digest") {
			t.Errorf("digest --to %q: exit %d, want 2\n%s\n%s", to, code, out, errOut)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "outbox")); len(entries) != 0 {
		t.Errorf("digest --to with no address wrote %d message(s) to the outbox (to the subscribers)", len(entries))
	}
}
