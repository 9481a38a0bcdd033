package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubscribersImportExcelCSV imports a list as Excel saves "CSV" in a
// locale whose decimal mark is a comma: a byte-order mark, semicolons
// between fields, CRLF line ends, quoted fields, and the empty columns and
// rows of cells that were once touched.
func TestSubscribersImportExcelCSV(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data}
	list := filepath.Join(t.TempDir(), "list.csv")
	csv := "\ufeffEmail;Themes;Frequency;;\r\n" +
		"Ann@Example.org;\"summits,security\";daily;;\r\n" +
		"\"bob@example.org\";;weekly;;\r\n" +
		";;;;\r\n"
	if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runKdigest(t, env, "subscribers", "import", list)
	if code != exitOK || !strings.Contains(out, "2 added, 0 updated") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	code, out, _ = runKdigest(t, env, "subscribers", "list")
	for _, want := range []string{"ann@example.org  active  daily", "summits,security", "bob@example.org  active  weekly"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

// TestSubscribersImportNotUTF8 imports a list Excel saved as "CSV (Comma
// delimited)", in Windows-1252: its consent text was stored as invalid
// UTF-8, and came back from export --json as U+FFFD.
func TestSubscribersImportNotUTF8(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"KDIGEST_DATA": data}
	list := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(list, []byte("email,consent\r\nann@example.org,paper form at the caf\xe9\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runKdigest(t, env, "subscribers", "import", list)
	if code == exitOK || !strings.Contains(errOut, "line 2: consent") || !strings.Contains(errOut, "UTF-8") {
		t.Errorf("import: exit %d, %q %q; want a refusal naming line 2, consent and UTF-8", code, out, errOut)
	}
	if _, out, _ := runKdigest(t, env, "subscribers", "list"); strings.Contains(out, "ann@example.org") {
		t.Errorf("a list that was refused was imported:\n%s", out)
	}
}
