package digest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestImportCSVOddInput checks that malformed or odd CSV (a stray quote, an
// unterminated field, short rows, a BOM, CRLF, huge fields) never panics.
func TestImportCSVOddInput(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	for _, in := range []string{
		"email\n\"a@b.org\"x\n",
		"email\n\"unterminated\n",
		"email,themes\na@b.org\n",
		"email\n\n\n",
		"\ufeffemail\na@b.org",
		"email,themes\na@b.org," + strings.Repeat("summits,", 100000) + "\n",
		"email\r\na@b.org\r\n",
		"email\n" + strings.Repeat("x", 1<<20) + "@b.org\n",
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("ImportCSV(%.40q) panicked: %v", in, r)
				}
			}()
			_, err := d.ImportCSV(context.Background(), strings.NewReader(in), digest.ImportOptions{Name: "x.csv"})
			t.Logf("%.40q: %v", in, err)
		}()
	}
}
