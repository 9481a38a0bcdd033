package digest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestArticlesCountedOnce checks that a digest's article count is one
// number wherever it is given: the dry run's plan, the subject ("N new
// articles"), the run's report and the ledger's list (kdigest digests)
// agree, also when a story has a second new report by the same outlet
// (an updated version), which the digest counts once: it shows it
// nowhere (see TestCountsHiddenReports).
func TestArticlesCountedOnce(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile(filepath.Join(e.seeds, "002_3bb022c722742749.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "Clashes between the two armies restarted in early August.", "Clashes between the two armies restarted in early August, killing dozens.", 1)
	if err := os.WriteFile(filepath.Join(e.seeds, "007_update.txt"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	planned, err := d.Run(context.Background(), digest.RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	ran, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := d.Digests(context.Background(), 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("digests: %v, %v", list, err)
	}
	if planned.Articles != ran.Articles || ran.Articles != list[0].Articles {
		t.Errorf("articles: the dry run says %d, the run %d, the ledger's list %d (subject %q)", planned.Articles, ran.Articles, list[0].Articles, ran.Subject)
	}
}
