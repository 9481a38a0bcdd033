package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
)

// One write per feed response.
//
// net/http sends a response through a 4 KiB buffer, so a response larger
// than that leaves in two writes: the full buffer, then the rest. On
// loopback each write wakes the reader, and for the gzip feed (5 KB) the
// second one cost about a fifth of the request rate against nginx, which
// sends a static file in one. A connection from CoalescingListener lets a
// handler hold its writes while it answers and send them together: one
// write, or one writev when the body is too large to copy.

// holdLimit is the most a held connection copies before it sends what it
// holds together with the next write (writev) instead of copying that.
const holdLimit = 16 << 10

// CoalescingListener wraps ln so that the feed handlers send each response
// in one write. Set http.Server.ConnContext to ConnContext, or the handlers
// do not find the connection and write as usual.
func CoalescingListener(ln net.Listener) net.Listener {
	return coalescingListener{ln}
}

type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it makes a connection from
// CoalescingListener reachable from its requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalescingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// heldConn returns r's coalescing connection, or nil.
func heldConn(r *http.Request) *coalescingConn {
	cc, _ := r.Context().Value(connKey{}).(*coalescingConn)
	return cc
}

// bufPool recycles the buffers of held writes: a connection keeps none
// between responses.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, holdLimit); return &b }}

// coalescingConn is a connection whose writes can be held and sent
// together. Writes outside hold and release go straight through.
type coalescingConn struct {
	net.Conn
	mu      sync.Mutex
	held    bool
	pending *[]byte // from bufPool while held
}

// hold starts keeping writes. A nil connection does nothing.
func (c *coalescingConn) hold() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

// release sends what was held in one write and stops holding. A failed
// write closes the connection, so that net/http, which was told the bytes
// were written, does not reuse it.
func (c *coalescingConn) release() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = false
	err := c.sendLocked()
	if err != nil {
		c.Conn.Close()
	}
	return err
}

// sendLocked writes and drops what is held.
func (c *coalescingConn) sendLocked() error {
	if c.pending == nil {
		return nil
	}
	var err error
	if len(*c.pending) > 0 {
		_, err = c.Conn.Write(*c.pending)
	}
	*c.pending = (*c.pending)[:0]
	bufPool.Put(c.pending)
	c.pending = nil
	return err
}

// Write holds p while the connection is held, sending what is held and p
// together (writev) once that would pass holdLimit.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		return c.Conn.Write(p)
	}
	if c.pending == nil {
		c.pending = bufPool.Get().(*[]byte)
	}
	if len(*c.pending)+len(p) <= holdLimit {
		*c.pending = append(*c.pending, p...)
		return len(p), nil
	}
	held := len(*c.pending)
	bufs := net.Buffers{*c.pending, p}
	n, err := bufs.WriteTo(c.Conn)
	*c.pending = (*c.pending)[:0]
	written := int(n) - held
	if written < 0 {
		written = 0
	}
	if err == nil && written < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.Conn.Close()
	}
	return written, err
}

// ReadFrom sends what is held first; net/http uses it for bodies read from
// files.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	err := c.sendLocked()
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

// writerOnly hides a writer's ReadFrom, so io.Copy does not call it back.
type writerOnly struct{ io.Writer }

// errNoCloseWrite reports a wrapped connection that cannot half-close.
var errNoCloseWrite = errors.New("web: connection cannot close its write side")

// CloseWrite half-closes the connection, as net/http does before closing a
// connection it answered with an error.
func (c *coalescingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errNoCloseWrite
}
