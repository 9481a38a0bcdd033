package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
