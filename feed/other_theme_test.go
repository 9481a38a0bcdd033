package feed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/feed/theme"
)

// TestThemeIDOfOtherSectionRefused checks that a taxonomy (--themes)
// cannot name a theme "other", the id of the section of the articles
// outside every theme (OtherTheme): such a theme's stories and those
// outside every theme were one section, listed twice (in its place and
// again last) on the front page and in every digest, whose subject
// counted its articles twice; and it got neither page link nor feed link
// there, being taken for OtherTheme. The file is refused, naming the id.
func TestThemeIDOfOtherSectionRefused(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("theme", "default.toml"))
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.Replace(raw, []byte(`id = "security"`), []byte(`id = "`+OtherTheme.ID+`"`), 1)
	tax, err := theme.Parse("themes.toml", raw)
	if err == nil {
		f := newFixture(t, seedFiles(t)...)
		s := f.open(t, func(o *Options) { o.Taxonomy = tax }).Snapshot()
		n := 0
		for _, sec := range s.Sections(s.Visible()) {
			if sec.Theme.ID == OtherTheme.ID {
				n++
			}
		}
		t.Fatalf("a taxonomy with a theme %q was accepted; the front page and the digest list its section %d times", OtherTheme.ID, n)
	}
	if !errors.Is(err, theme.ErrInvalid) || !strings.Contains(err.Error(), `"`+OtherTheme.ID+`"`) {
		t.Errorf("err = %v, want ErrInvalid naming the id %q", err, OtherTheme.ID)
	}
}
