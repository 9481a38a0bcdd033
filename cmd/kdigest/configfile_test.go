package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The service reads its listen address from the config file named by
// KDIGEST_CONFIG; healthcheck, run in the same environment (the
// container's HEALTHCHECK), must call that address, not the default one.
func TestHealthcheckReadsConfigFileAddr(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer healthy.Close()
	addr := strings.TrimPrefix(healthy.URL, "http://")
	file := filepath.Join(t.TempDir(), "kdigest.toml")
	writeFile(t, file, "addr = \""+addr+"\"\n")
	environ := map[string]string{"KDIGEST_CONFIG": file}

	_, stdout, _ := runKdigest(t, environ, "config", "--data", t.TempDir(), "--seeds", "../../seeds")
	if !strings.Contains(stdout, addr) {
		t.Fatalf("config does not show the file's addr:\n%s", stdout)
	}
	if code, _, stderr := runKdigest(t, environ, "healthcheck"); code != exitOK {
		t.Errorf("healthcheck with addr %s in $KDIGEST_CONFIG: exit %d, want 0: %s", addr, code, stderr)
	}
}

// "kdigest themes" prints "the taxonomy in use": with the taxonomy file
// named in the config file of KDIGEST_CONFIG, serve uses that file, and
// themes must print it.
func TestThemesReadsConfigFileThemes(t *testing.T) {
	dir := t.TempDir()
	tax := filepath.Join(dir, "tax.toml")
	def, err := os.ReadFile("../../feed/theme/default.toml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, tax, string(def))
	file := filepath.Join(dir, "kdigest.toml")
	writeFile(t, file, "themes = \""+tax+"\"\n")
	environ := map[string]string{"KDIGEST_CONFIG": file}
	code, stdout, stderr := runKdigest(t, environ, "themes")
	if code != exitOK {
		t.Fatalf("themes: exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "(embedded default)") {
		t.Errorf("themes with themes = %s in $KDIGEST_CONFIG prints another taxonomy:\n%s", tax, stdout)
	}
}
