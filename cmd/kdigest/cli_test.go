package main

import (
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestUsageErrorsAreShort checks that a usage error is one line and a
// pointer to the command's help, not the whole help.
func TestUsageErrorsAreShort(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--nope"}, "kdigest serve: flag provided but not defined: -nope\nRun 'kdigest help serve' for usage.\n"},
		{[]string{"digest", "--since"}, "kdigest digest: flag needs an argument: -since\nRun 'kdigest help digest' for usage.\n"},
		{[]string{"inspect"}, "kdigest inspect: no files given\nRun 'kdigest help inspect' for usage.\n"},
		{[]string{"digest", "--since", "2999-01-01"}, "kdigest digest: --since: \"2999-01-01\" is in the future\nRun 'kdigest help digest' for usage.\n"},
		{[]string{"subscribers", "frob"}, "kdigest subscribers: unknown action \"frob\" (want add, remove, list, export or import)\nRun 'kdigest help subscribers' for usage.\n"},
		{[]string{"frobnicate"}, "kdigest: unknown command \"frobnicate\"\nRun 'kdigest help' for the commands.\n"},
		{[]string{"config", "--feed-size", "0"}, "kdigest config: feed-size (from flag --feed-size): want a positive whole number, got \"0\"\nRun 'kdigest help config' for usage.\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runKdigest(t, nil, tt.args...)
		if code != exitUsage || stderr != tt.want || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// TestHelpListsEachFlagOnce checks that no command's help names a flag
// twice (in the text and again in the list of flags).
func TestHelpListsEachFlagOnce(t *testing.T) {
	for _, c := range commands() {
		code, stdout, _ := runKdigest(t, nil, "help", c.name)
		if code != exitOK {
			t.Fatalf("help %s: exit %d", c.name, code)
		}
		seen := map[string]int{}
		for _, line := range strings.Split(stdout, "\n") {
			if f, ok := strings.CutPrefix(line, "  --"); ok {
				seen[strings.Fields(f)[0]]++
			}
		}
		for f, n := range seen {
			if n != 1 {
				t.Errorf("help %s lists --%s %d times:\n%s", c.name, f, n, stdout)
			}
		}
		if c.name == "digest" && seen["dry-run"] != 1 {
			t.Errorf("help digest does not list --dry-run:\n%s", stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	if code, stdout, _ := runKdigest(t, nil, "help", "version"); code != exitOK || !strings.Contains(stdout, "kdigest version") {
		t.Errorf("help version: exit %d, stdout %q; want 0 and its usage", code, stdout)
	}
	for _, arg := range []string{"version", "--version"} {
		code, stdout, stderr := runKdigest(t, nil, arg)
		if code != exitOK || !strings.HasPrefix(stdout, "kdigest ") || !strings.Contains(stdout, runtime.Version()) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and a version line", arg, code, stdout, stderr)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/kdigest/kdigest", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-07T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion(bi, "ffff"), "kdigest v1.2.0 revision 0123abcd of 2026-12-07T10:00:00Z (modified) go1.26.8"; got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
	bi.Settings, bi.Main.Version = nil, "(devel)"
	if got, want := formatVersion(bi, ""), "kdigest (devel) (no VCS revision) go1.26.8"; got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
	if got, want := formatVersion(bi, "0123abcd"), "kdigest (devel) revision 0123abcd go1.26.8"; got != want {
		t.Errorf("formatVersion with a link-time revision = %q, want %q", got, want)
	}
}

// TestErrorsHaveNoPackagePrefix checks that what the commands print on
// failure reads as a sentence, without "digest: " or "article: " inside.
func TestErrorsHaveNoPackagePrefix(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	writeFile(t, empty, "")
	badThemes := filepath.Join(dir, "themes.toml")
	writeFile(t, badThemes, "name = \"x\"\n")
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", data, "ann@example.org"); code != exitOK {
		t.Fatalf("subscribers add: %s", stderr)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", empty}, "empty file"},
		{[]string{"themes", "--themes", badThemes}, "invalid taxonomy"},
		{[]string{"subscribers", "add", "--data", data, "ann@example.org"}, "already subscribed"},
		{[]string{"subscribers", "remove", "--data", data, "bob@example.org"}, "not subscribed"},
		{[]string{"digests", "--data", data, "nope"}, "no such digest"},
		{[]string{"config", "--digest-schedule", "0 8 * * 9"}, "invalid digest schedule"},
	}
	for _, tt := range tests {
		code, _, stderr := runKdigest(t, nil, tt.args...)
		if code == exitOK || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want a failure saying %q", tt.args, code, stderr, tt.want)
		}
		for _, pkg := range []string{"digest: ", "feed: ", "article: ", "theme: ", "schedule: ", "web: "} {
			if strings.Contains(stderr, pkg) {
				t.Errorf("%q: stderr has the package prefix %q: %s", tt.args, pkg, stderr)
			}
		}
	}
}
