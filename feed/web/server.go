// Package web serves the corpus over HTTP: the pre-rendered feeds with the
// caching headers feed readers rely on, the HTML pages, /healthz, and the
// digest archive's pages and feed; it counts requests in Metrics, whose
// handler the caller serves on a listener of its own. Behind trusted
// proxies it reads the client from X-Forwarded-For or Forwarded, and it
// refuses forms posted from another site. It receives extra
// handlers (subscribe, unsubscribe), the archive of past digests and a
// status function from its caller, and imports neither the digest nor the
// scheduler.
package web

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/templates"
)

// Options configures the server. Snapshot is required.
type Options struct {
	// Snapshot returns the corpus's current snapshot.
	Snapshot func() *feed.Snapshot
	// Description is the one-line description in every page's header.
	Description string
	// Log receives one line per request at debug level and errors at error
	// level; default discards.
	Log *slog.Logger
	// Status adds fields to /healthz (scheduler, watcher, last digest). A
	// "status" field other than "ok" (such as "degraded") replaces it, and
	// /healthz then answers 503.
	Status func() map[string]any
	// Routes are extra handlers by Go 1.22 pattern, e.g. "POST /subscribe".
	Routes map[string]http.Handler
	// Archive, when set, gives the past digests shown at /digests,
	// /digests/{id} and /digests.atom.
	Archive Archive
	// Metrics records requests; default a fresh set on its own registry.
	Metrics *Metrics
	// Templates overrides the embedded page templates; default templates.FS.
	Templates fs.FS
	// Now is the clock; default time.Now.
	Now func() time.Time
	// TrustedProxies are the peers whose X-Forwarded-For or Forwarded
	// header names the client (see clientAddress); default none.
	TrustedProxies []netip.Prefix
	// BaseURL is the site's public URL: a form posted from its origin is
	// same-site even when the proxy does not pass the Host header on.
	BaseURL string
	// CrossSiteExempt are route patterns a form may be posted to from
	// another site, e.g. "POST /unsubscribe" (RFC 8058 one-click).
	CrossSiteExempt []string
	// ThemePage is how many articles a page of a theme lists, newest
	// first; the older ones are on /themes/ID/page/2 and on. Default 100.
	ThemePage int
}

// server holds what the handlers share.
type server struct {
	opts  Options
	pages map[string]*template.Template
	mux   *http.ServeMux
	cache pageCache
	// archive is the last /digests.atom rendered, with its key.
	archive struct {
		sync.Mutex
		key string
		doc *feed.Document
	}
}

// ErrNoSnapshot reports Options without a Snapshot function.
var ErrNoSnapshot = errors.New("web: no snapshot function")

// NewServer returns the HTTP handler of the whole site. A template that does
// not parse is an error naming it, not a panic.
func NewServer(opts Options) (http.Handler, error) {
	_, h, err := newServer(opts)
	return h, err
}

// newServer makes the server of opts and the handler that serves it (the
// server's routes inside the request limits and protections).
func newServer(opts Options) (*server, http.Handler, error) {
	if opts.Snapshot == nil {
		return nil, nil, ErrNoSnapshot
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	if opts.Templates == nil {
		opts.Templates = templates.FS
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ThemePage <= 0 {
		opts.ThemePage = 100
	}
	if opts.Description == "" {
		opts.Description = "Armenia–Azerbaijan diplomacy and security news, cleaned and grouped by theme."
	}
	s := &server{opts: opts, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, page := range []string{"index", "article", "theme", "notfound", "archive", "issue"} {
		t, err := template.New(page).ParseFS(opts.Templates, "layout.html.tmpl", page+".html.tmpl")
		if err != nil {
			return nil, nil, fmt.Errorf("web: page template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	s.routes()
	csrf, err := crossOriginProtection(opts.BaseURL, opts.CrossSiteExempt)
	if err != nil {
		return nil, nil, err
	}
	return s, s.recoverer(limitBodies(clientAddress(opts.TrustedProxies, csrf.Handler(s.mux)))), nil
}

// MaxBody is the most a request may post: the site's forms (subscribe,
// confirm, preferences, unsubscribe) are a few hundred bytes. A handler
// reading more gets an *http.MaxBytesError (a 413 is theirs to answer).
const MaxBody = 64 << 10

// limitBodies caps every request's body at MaxBody, so no form is read
// into memory whole whatever its size (Go's ParseForm reads up to 10 MB).
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses a form posted from another site (its
// Sec-Fetch-Site or Origin says so) with a 403, except to the exempt
// patterns. Requests without either header (mail clients, curl) pass.
func crossOriginProtection(baseURL string, exempt []string) (*http.CrossOriginProtection, error) {
	c := http.NewCrossOriginProtection()
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("base URL %q is not an absolute URL", baseURL)
		}
		if err := c.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("base URL %q: %w", baseURL, err)
		}
	}
	for _, p := range exempt {
		c.AddInsecureBypassPattern(p)
	}
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "This form was posted from another site, so it was refused. Use the form on this site.", http.StatusForbidden)
	}))
	return c, nil
}

// recoverer turns a panic in a handler into a 500 and an error log line.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.opts.Log.Error("http: handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
