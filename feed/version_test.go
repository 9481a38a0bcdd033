package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/theme"
)

// pipelineRecord is testdata/pipeline-version.txt: per input set, the
// PipelineVersion and the hash of the pipeline's output over the set
// when it was recorded.
const pipelineRecord = "testdata/pipeline-version.txt"

// pipelineSets are the inputs whose output PipelineVersion stands for: the
// seeds, feed/article's hand-written pages, and the devsets when they are
// beside the project (a set that is absent is not checked).
var pipelineSets = []struct{ name, glob string }{
	{"seeds", "../seeds/*.txt"},
	{"article-extra", "article/testdata/extra/*.txt"},
	{"devset-text", "../../shared/devset/pages/*.txt"},
	{"devset-html", "../../shared/devset/html/*.html"},
	{"devset-karabakh", "../../shared/devset-karabakh/pages/*.txt"},
}

// TestPipelineVersion fails when what the pipeline makes of a set (every
// field of the article, its classification, fingerprint and story) is not
// what was recorded for the current PipelineVersion: rows saved by the
// last release would then be served stale, because a start re-parses only
// rows of another version. Raise PipelineVersion with such a change, then
// run with -update to record the new output.
func TestPipelineVersion(t *testing.T) {
	raw, err := os.ReadFile(pipelineRecord)
	if err != nil && !*update {
		t.Fatalf("%v (run with -update)", err)
	}
	recorded := map[string][2]string{} // set -> version, hash
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			recorded[f[0]] = [2]string{f[1], f[2]}
		}
	}
	tax, err := theme.Default()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, set := range pipelineSets {
		names, _ := filepath.Glob(set.glob)
		if len(names) == 0 {
			if r, ok := recorded[set.name]; ok {
				lines = append(lines, fmt.Sprintf("%s %s %s", set.name, r[0], r[1]))
			}
			t.Logf("%s: absent, not checked", set.name)
			continue
		}
		got := pipelineHash(t, names, tax)
		r, ok := recorded[set.name]
		switch {
		case *update:
			if ok && r[0] == PipelineVersion && r[1] != got {
				t.Errorf("%s: the output changed but PipelineVersion is still %s: raise it first", set.name, PipelineVersion)
			}
		case !ok:
			t.Errorf("%s: no recorded output (run with -update)", set.name)
		case r[0] != PipelineVersion:
			t.Errorf("%s: recorded for version %s, PipelineVersion is %s (run with -update)", set.name, r[0], PipelineVersion)
		case r[1] != got:
			t.Errorf("%s: the pipeline's output changed under PipelineVersion %s: raise it, so that a start re-parses the rows the last release saved, and run with -update", set.name, PipelineVersion)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", set.name, PipelineVersion, got))
	}
	if *update && !t.Failed() {
		if err := os.WriteFile(pipelineRecord, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pipelineHash runs the files through AnalyzeAll, as a cold start would,
// and hashes all it gave.
func pipelineHash(t *testing.T, names []string, tax *theme.Taxonomy) string {
	t.Helper()
	slices.Sort(names)
	seeds := make([]Seed, len(names))
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		seeds[i] = Seed{Name: filepath.Base(n), Raw: b}
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	for i, a := range AnalyzeAll(seeds, tax, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		errText := ""
		if a.Err != nil {
			errText = a.Err.Error()
		}
		if err := enc.Encode([]any{seeds[i].Name, a.Article, a.Class, a.Print, a.Story, a.CopyOf, errText}); err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
