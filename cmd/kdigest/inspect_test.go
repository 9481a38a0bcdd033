package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectJSONContract(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	writeFile(t, empty, "")
	binary := filepath.Join(dir, "image.txt")
	if err := os.WriteFile(binary, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := "../../seeds/001_3d14f15a5a4da934.txt"
	copyOf := filepath.Join(dir, "copy_of_001.txt")
	raw, _ := os.ReadFile(seed)
	writeFile(t, copyOf, string(raw))

	code, stdout, stderr := runKdigest(t, nil, "inspect", "--json", seed, empty, binary, filepath.Join(dir, "missing.txt"), copyOf)
	if code != exitFailure {
		t.Errorf("exit = %d, want 1 when some files fail", code)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout)
	}
	if len(got) != 5 {
		t.Fatalf("objects = %d, want one per file (5)", len(got))
	}
	first := got[0]
	for _, key := range []string{"file", "id", "title", "title_synthesized", "published", "published_precision", "source",
		"agency", "dateline", "url", "summary", "body", "words", "warnings", "theme", "themes", "theme_scores", "theme_matches",
		"relevant", "relevance", "story"} {
		if _, ok := first[key]; !ok {
			t.Errorf("field %q missing", key)
		}
	}
	if first["file"] != seed || first["id"] != "001_3d14f15a5a4da934" || first["published"] != "2022-10-31T10:31:00Z" ||
		first["published_precision"] != "minute" || first["agency"] != nil || first["relevant"] != true || first["theme"] != "summits" {
		t.Errorf("seed object = %v", first)
	}
	for i, want := range []string{"empty", "not a text file", "no such file"} {
		obj := got[i+1]
		msg, _ := obj["error"].(string)
		if !strings.Contains(msg, want) || obj["file"] == nil {
			t.Errorf("object %d = %v, want an error containing %q and the file", i+1, obj, want)
		}
	}
	if got[4]["story"] != first["story"] {
		t.Errorf("copy in story %v, original in %v; want the same", got[4]["story"], first["story"])
	}
	if !strings.Contains(stderr, "missing.txt") {
		t.Errorf("stderr does not name the missing file: %q", stderr)
	}
}

func TestInspectText(t *testing.T) {
	code, stdout, _ := runKdigest(t, nil, "inspect", "../../seeds/003_9b9c189b77a28c48.txt")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"title:", "Putin: Talks with Armenia", "agency:     AP", "relevant:   yes", "body:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestThemesCommand(t *testing.T) {
	code, stdout, _ := runKdigest(t, nil, "themes")
	if code != exitOK || !strings.Contains(stdout, "peace-treaty") || !strings.Contains(stdout, "Ceasefire and peacekeepers") {
		t.Errorf("themes: exit %d\n%s", code, stdout)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	writeFile(t, bad, "name = \"x\"\n[[theme]\n")
	code, _, stderr := runKdigest(t, nil, "themes", "--themes", bad)
	if code != exitFailure || !strings.Contains(stderr, "bad.toml:") {
		t.Errorf("bad themes file: exit %d, stderr %q; want 1 naming the file and line", code, stderr)
	}
}

// TestInspectReadsSidecarsWithTheirSeed checks that inspect seeds/* (the
// seeds and their sidecars) inspects each seed once with its sidecar's
// fields, and no sidecar as a page of its own; a .json named alone,
// without its seed, is still inspected (and fails as no page).
func TestInspectReadsSidecarsWithTheirSeed(t *testing.T) {
	dir := t.TempDir()
	raw, _ := os.ReadFile("../../seeds/001_3d14f15a5a4da934.txt")
	seed := filepath.Join(dir, "a.txt")
	writeFile(t, seed, string(raw))
	writeFile(t, filepath.Join(dir, "a.json"), `{"url": "https://news.example.org/a"}`)
	writeFile(t, filepath.Join(dir, "lonely.json"), `{"url": "https://news.example.org/b"}`)
	code, stdout, _ := runKdigest(t, nil, "inspect", "--json", filepath.Join(dir, "a.json"), seed, filepath.Join(dir, "lonely.json"))
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout)
	}
	if len(got) != 2 || got[0]["file"] != seed || got[0]["url"] != "https://news.example.org/a" || got[1]["error"] == nil || code != exitFailure {
		t.Errorf("exit %d, objects %v; want a.txt with its sidecar's url, then lonely.json failed", code, got)
	}
}

// TestInspectLeavesOutOnlyTheSidecarItReads checks that a .json that is
// not the file read as a seed's sidecar (NAME.json, as the corpus names
// it) is not left out as one: a.JSON beside a.txt vanished from the
// output, neither read with a.txt nor inspected.
func TestInspectLeavesOutOnlyTheSidecarItReads(t *testing.T) {
	dir := t.TempDir()
	raw, _ := os.ReadFile("../../seeds/001_3d14f15a5a4da934.txt")
	seed := filepath.Join(dir, "a.txt")
	writeFile(t, seed, string(raw))
	other := filepath.Join(dir, "a.JSON")
	writeFile(t, other, `{"url": "https://news.example.org/a"}`)
	_, stdout, _ := runKdigest(t, nil, "inspect", "--json", seed, other)
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout)
	}
	if len(got) != 2 || got[0]["url"] == "https://news.example.org/a" {
		t.Errorf("objects %v; want a.txt without a sidecar, then a.JSON inspected", got)
	}
}
