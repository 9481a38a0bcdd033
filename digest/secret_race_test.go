package digest_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestLoadSecretTogether: the first start of serve and a command started
// with it both make the data folder's secret. Each must get the one
// secret (tokens one signs must verify in the other), and neither may read
// the file half written ("too short ... delete it").
func TestLoadSecretTogether(t *testing.T) {
	for round := range 30 {
		path := filepath.Join(t.TempDir(), fmt.Sprint(round), "secret")
		got := make([][]byte, 8)
		errs := make([]error, len(got))
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], errs[i] = digest.LoadSecret(path) })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("round %d: LoadSecret: %v", round, errs[i])
			}
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("round %d: two secrets", round)
			}
		}
	}
}
