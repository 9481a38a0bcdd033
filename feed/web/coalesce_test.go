package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// countingListener counts the Write calls made on its connections.
type countingListener struct {
	net.Listener
	mu     sync.Mutex
	writes int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c countingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes++
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

// rawGet sends one HTTP/1.1 request on c and reads the response.
func rawGet(t *testing.T, c net.Conn, br *bufio.Reader, method, path, header string) (*http.Response, []byte) {
	t.Helper()
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: kdigest.test\r\n%s\r\n", method, path, header)
	req := &http.Request{Method: method}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, path, err)
	}
	return resp, body
}

// TestCoalescedResponses serves the site through CoalescingListener and
// checks that a feed response leaves in one write (two without
// ConnContext, which is what net/http does by itself), that every byte
// arrives, and that the connection stays usable for the next request.
func TestCoalescedResponses(t *testing.T) {
	h, snap := newHandler(t, Options{})
	doc, _ := snap.Document("feed.atom")
	if len(doc.Gzip) < 4<<10 || len(doc.Gzip) > holdLimit || len(doc.Body) <= holdLimit {
		t.Fatalf("test corpus: gzip feed %d bytes, plain %d; want a gzip feed over net/http's 4 KiB buffer and a plain one over holdLimit", len(doc.Gzip), len(doc.Body))
	}
	for _, coalesce := range []bool{true, false} {
		t.Run(fmt.Sprintf("coalesce=%v", coalesce), func(t *testing.T) {
			ts := httptest.NewUnstartedServer(h)
			counter := &countingListener{Listener: ts.Listener}
			ts.Listener = CoalescingListener(counter)
			if coalesce {
				ts.Config.ConnContext = ConnContext
			}
			ts.Start()
			defer ts.Close()
			c, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)

			before := counter.count()
			resp, body := rawGet(t, c, br, "GET", "/feed.atom", "Accept-Encoding: gzip\r\n")
			writes := counter.count() - before
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, doc.Gzip) {
				t.Fatalf("gzip feed: status %d, %d bytes; want 200 and the %d pre-compressed bytes", resp.StatusCode, len(body), len(doc.Gzip))
			}
			want := 1
			if !coalesce {
				want = 2
			}
			if writes != want {
				t.Errorf("gzip feed left in %d writes, want %d", writes, want)
			}

			// Larger than holdLimit: sent with what is held, not copied.
			resp, body = rawGet(t, c, br, "GET", "/feed.atom", "")
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, doc.Body) {
				t.Fatalf("plain feed: status %d, %d bytes; want 200 and the %d feed bytes", resp.StatusCode, len(body), len(doc.Body))
			}
			resp, body = rawGet(t, c, br, "HEAD", "/feed.atom", "")
			if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.ContentLength != int64(len(doc.Body)) {
				t.Errorf("HEAD: status %d, body %d bytes, length %d", resp.StatusCode, len(body), resp.ContentLength)
			}
			resp, _ = rawGet(t, c, br, "GET", "/feed.atom", "If-None-Match: "+doc.ETag+"\r\n")
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("poll: status %d, want 304", resp.StatusCode)
			}
			resp, body = rawGet(t, c, br, "GET", "/", "")
			if resp.StatusCode != http.StatusOK || int64(len(body)) != resp.ContentLength || !bytes.Contains(body, []byte("</html>")) {
				t.Errorf("index page: status %d, %d bytes of %d", resp.StatusCode, len(body), resp.ContentLength)
			}
		})
	}
}

// connPair returns a held-capable server side and the client side of a
// loopback TCP connection.
func connPair(t *testing.T) (*coalescingConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := CoalescingListener(ln).Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return server.(*coalescingConn), client
}

// TestHeldWritesInOrder checks the order of held, oversized, ReadFrom and
// plain writes as the peer reads them.
func TestHeldWritesInOrder(t *testing.T) {
	c, peer := connPair(t)
	big := bytes.Repeat([]byte("b"), holdLimit+1)
	var want bytes.Buffer
	write := func(p []byte) {
		t.Helper()
		if n, err := c.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write(%d bytes) = %d, %v", len(p), n, err)
		}
		want.Write(p)
	}
	c.hold()
	write([]byte("head "))
	write(big) // sent together with "head " in one writev
	write([]byte(" tail"))
	if _, err := c.ReadFrom(strings.NewReader(" from-reader")); err != nil {
		t.Fatalf("ReadFrom: %v", err)
	}
	want.WriteString(" from-reader")
	write([]byte(" after"))
	if err := c.release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	write([]byte(" unheld"))
	c.CloseWrite()
	got, err := io.ReadAll(peer)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("peer read %d bytes, want %d in the order written", len(got), want.Len())
	}
	// Nothing held: release and a nil connection are no-ops.
	if err := c.release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	var none *coalescingConn
	none.hold()
	if err := none.release(); err != nil {
		t.Errorf("nil release: %v", err)
	}
}

// failingConn is a connection whose writes fail; it records Close.
type failingConn struct {
	net.Conn
	closed bool
}

var errWriteFailed = errors.New("write: connection reset by peer")

func (c *failingConn) Write([]byte) (int, error) { return 0, errWriteFailed }
func (c *failingConn) Close() error              { c.closed = true; return nil }

// TestHeldWriteFails checks that a held write that fails on release, or an
// oversized one that fails at once, reports the error and closes the
// connection, so net/http does not reuse a connection it believes answered.
func TestHeldWriteFails(t *testing.T) {
	for _, size := range []int{10, holdLimit + 1} {
		inner := &failingConn{}
		c := &coalescingConn{Conn: inner}
		c.hold()
		n, err := c.Write(make([]byte, size))
		if size > holdLimit {
			if !errors.Is(err, errWriteFailed) || n != 0 {
				t.Errorf("oversized held write = %d, %v; want 0 and the write error", n, err)
			}
		} else if err != nil || n != size {
			t.Errorf("held write = %d, %v; want it held", n, err)
		}
		if err := c.release(); size <= holdLimit && !errors.Is(err, errWriteFailed) {
			t.Errorf("release = %v, want the write error", err)
		}
		if !inner.closed {
			t.Errorf("size %d: connection not closed after a failed write", size)
		}
	}
}

// TestCloseWriteUnsupported checks the error of a wrapped connection that
// cannot half-close.
func TestCloseWriteUnsupported(t *testing.T) {
	c := &coalescingConn{Conn: &failingConn{}}
	if err := c.CloseWrite(); !errors.Is(err, errNoCloseWrite) {
		t.Errorf("CloseWrite = %v, want errNoCloseWrite", err)
	}
}

// TestListenerAcceptError passes the inner listener's error on.
func TestListenerAcceptError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := CoalescingListener(ln).Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept on a closed listener = %v, want net.ErrClosed", err)
	}
}
