package digest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// countingBody counts the bytes a handler reads of a request's body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestSubscribeReadsNoHugeForm: a client whose 5 requests an hour are
// used up posts 8 MB forms with a mistyped address. Since the address and
// themes are checked before the rate limit, each was read whole (Go reads
// up to 10 MB of a form into memory, and more again to split it) and
// answered 400, request after request, where the limit used to answer 429
// before reading it: a subscribe form is a few hundred bytes.
func TestSubscribeReadsNoHugeForm(t *testing.T) {
	_, _, site := newWebEnv(t)
	var read atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &read}
		site.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	for i := range 5 {
		if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {fmt.Sprintf("p%d@example.org", i)}}); res.code != http.StatusAccepted {
			t.Fatalf("post %d = %d, want 202", i+1, res.code)
		}
	}
	body := url.Values{"email": {"p0@example"}, "pad": {strings.Repeat("x", 8<<20)}}.Encode()
	for i := range 3 {
		read.Store(0)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/subscribe", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if n := read.Load(); n > 1<<20 {
			t.Errorf("post %d of an %d-byte form: %d bytes read (answered %d), want at most 1 MiB", i+1, len(body), n, res.StatusCode)
		}
	}
}
