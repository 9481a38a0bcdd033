package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/schedule"
)

func TestSubscribersThemesAndCSV(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data}
	code, out, errOut := runKdigest(t, env, "subscribers", "add", "ann@example.org", "--themes", "summits,security", "--daily")
	if code != exitOK || !strings.Contains(out, "added ann@example.org (summits,security, daily)") {
		t.Fatalf("add --themes: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = runKdigest(t, env, "subscribers", "add", "bob@example.org", "--themes", "summits,weather")
	if code != exitUsage || !strings.Contains(errOut, `unknown theme "weather"`) || !strings.Contains(errOut, "known: summits") {
		t.Errorf("add an unknown theme: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{
		{"subscribers", "list", "--themes", "summits"},
		{"subscribers", "export"},
		{"subscribers", "export", "--csv", "--json"},
		{"subscribers", "import"},
		{"subscribers", "add", "x@example.org", "--confirm"},
	} {
		if code, _, errOut := runKdigest(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%q)", args, code, errOut)
		}
	}
	// A list with a suspended address, imported: nothing is sent.
	list := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(list, []byte("email,status,reason,consent_at,consent\n"+
		"cid@example.net,suspended,3 digests in a row refused for good; last: 550 no such user,2025-05-01T10:00:00Z,paper form at a conference\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runKdigest(t, env, "subscribers", "import", list)
	if code != exitOK || !strings.Contains(out, "1 added, 0 updated; no email sent") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "outbox")); len(entries) != 0 {
		t.Errorf("import wrote %d message(s) to the outbox", len(entries))
	}
	code, out, _ = runKdigest(t, env, "subscribers", "list")
	for _, want := range []string{"ann@example.org  active", "daily", "summits,security", "cid@example.net  suspended: 3 digests in a row refused for good; last: 550 no such user", "paper form at a conference"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	code, exported, _ := runKdigest(t, env, "subscribers", "export", "--csv")
	if code != exitOK || !strings.HasPrefix(exported, "email,themes,frequency,status,reason,paused_until,consent_at,consent\n") {
		t.Fatalf("export: exit %d\n%s", code, exported)
	}
	// Round trip through the CLI into another data folder.
	if err := os.WriteFile(list, []byte(exported), 0o644); err != nil {
		t.Fatal(err)
	}
	other := map[string]string{"KDIGEST_DATA": t.TempDir()}
	if code, _, errOut := runKdigest(t, other, "subscribers", "import", list); code != exitOK {
		t.Fatalf("import into another folder: exit %d, %q", code, errOut)
	}
	if _, again, _ := runKdigest(t, other, "subscribers", "export", "--csv"); again != exported {
		t.Errorf("round trip:\n%s\nwant\n%s", again, exported)
	}
	// A bad row: the line and field named, nothing imported.
	if err := os.WriteFile(list, []byte("email,themes\ndan@example.org,summits\neve@example.org,weather\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runKdigest(t, other, "subscribers", "import", list)
	if code != exitFailure || !strings.Contains(errOut, list+`: line 3: themes: unknown theme "weather"`) || !strings.Contains(errOut, "Nothing was imported.") {
		t.Errorf("bad import: exit %d, %q", code, errOut)
	}
	if _, out, _ := runKdigest(t, other, "subscribers", "list"); strings.Contains(out, "dan@example.org") {
		t.Errorf("a refused import added dan@example.org")
	}
}

func TestDailySpec(t *testing.T) {
	yerevan, err := time.LoadLocation("Asia/Yerevan")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	// The week of a spring-forward: Sunday 29 March 2026, 02:00 → 03:00.
	springWeek := time.Date(2026, 3, 25, 12, 0, 0, 0, berlin)
	tests := []struct {
		weekly string
		loc    *time.Location
		now    time.Time
		want   string
	}{
		{"0 8 * * MON", time.UTC, time.Time{}, "0 8 * * *"},
		{"30 7 * * FRI", yerevan, time.Time{}, "30 7 * * *"},
		{"@weekly", time.UTC, time.Time{}, "0 0 * * *"},
		{"off", time.UTC, time.Time{}, "off"},
		// Its next weekly run is moved to 03:30: the daily one stays at 02:30.
		{"30 2 * * SUN", berlin, springWeek, "30 2 * * *"},
	}
	for _, tc := range tests {
		opts := schedule.SchedulerOptions{Spec: tc.weekly, Location: tc.loc, Run: func(context.Context) error { return nil }}
		if !tc.now.IsZero() {
			opts.Now = func() time.Time { return tc.now }
		}
		weekly, err := schedule.NewScheduler(opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := dailySpec(weekly, tc.loc); got != tc.want {
			t.Errorf("dailySpec(%q) = %q, want %q", tc.weekly, got, tc.want)
		}
	}
}

func TestDigestDailyUsage(t *testing.T) {
	env := map[string]string{"KDIGEST_DATA": t.TempDir()}
	for _, args := range [][]string{
		{"digest", "--daily", "--to", "a@example.org"},
		{"digest", "--daily", "--resend", "x", "--to", "a@example.org"},
	} {
		if code, _, errOut := runKdigest(t, env, args...); code != exitUsage || !strings.Contains(errOut, "--daily") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
