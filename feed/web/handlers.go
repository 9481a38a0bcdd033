package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
)

// cacheControl lets readers and proxies reuse a feed for five minutes.
const cacheControl = "public, max-age=300"

// handleDocument serves a pre-rendered document from memory.
func (s *server) handleDocument(path func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := s.opts.Snapshot().Document(path(r))
		if !ok {
			s.notFound(w, r, "There is no such feed.")
			return
		}
		serveDocument(w, r, doc)
	})
}

// pageCacheControl has browsers ask again for a page each time: the
// answer is a 304 while the corpus has not changed.
const pageCacheControl = "no-cache"

// serveDocument answers with doc through http.ServeContent (strong ETag,
// Last-Modified, 304, 412, ranges and HEAD), sending its gzip variant
// (compressed on the first request that accepts it) when the client
// accepts gzip.
func serveDocument(w http.ResponseWriter, r *http.Request, doc *feed.Document) {
	serveWith(w, r, doc, cacheControl)
}

// serveWith is serveDocument with the Cache-Control value cache.
func serveWith(w http.ResponseWriter, r *http.Request, doc *feed.Document, cache string) {
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Cache-Control", cache)
	h.Set("Vary", "Accept-Encoding")
	body, etag := doc.Body, doc.ETag
	if acceptsGzip(r) {
		// The encoded bytes are a different representation: a different tag.
		body, etag = doc.Gzip(), strings.TrimSuffix(doc.ETag, `"`)+`-gzip"`
		h.Set("Content-Encoding", "gzip")
		w = lengthWriter{ResponseWriter: w, n: len(body)}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", doc.Modified, bytes.NewReader(body))
}

// acceptsGzip reports whether Accept-Encoding allows gzip: named (or as
// x-gzip) with q > 0, or, when not named, covered by "*" with q > 0.
func acceptsGzip(r *http.Request) bool {
	star := false
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			return qualityAboveZero(params)
		case name == "*":
			star = qualityAboveZero(params)
		}
	}
	return star
}

// qualityAboveZero reports whether Accept-Encoding parameters carry no q or
// a q above zero.
func qualityAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// lengthWriter sets Content-Length on a 200, which http.ServeContent leaves
// out once Content-Encoding is set: without it a gzip response is chunked
// and a HEAD of it has no length.
type lengthWriter struct {
	http.ResponseWriter
	n int
}

func (w lengthWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		w.Header().Set("Content-Length", strconv.Itoa(w.n))
	}
	w.ResponseWriter.WriteHeader(code)
}

// handleTheme serves /themes/{id}.atom, .rss and .json (the theme's
// feeds) and /themes/{id} (its page). ServeMux wildcards match whole
// segments, hence one route.
func (s *server) handleTheme() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if path, ok := themeFeedPath(file); ok {
			doc, found := s.opts.Snapshot().Document(path)
			if !found {
				s.notFound(w, r, "There is no such theme feed.")
				return
			}
			serveDocument(w, r, doc)
			return
		}
		s.themePage(w, r, file, 1)
	})
}

// handleSlash redirects PREFIX{x}/ to PREFIX{x}, the page's address.
func (s *server) handleSlash(prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := strings.TrimSuffix(r.URL.EscapedPath(), "/")
		if !strings.HasPrefix(to, prefix) || to == strings.TrimSuffix(prefix, "/") {
			s.notFound(w, r, "There is nothing at this address.")
			return
		}
		http.Redirect(w, r, s.opts.Snapshot().BaseURL+to, http.StatusMovedPermanently)
	})
}

// handleThemeOlder serves /themes/{id}/page/{n}: the theme's articles
// older than those of the page before. Page 1 is /themes/{id}.
func (s *server) handleThemeOlder() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		n, err := strconv.Atoi(r.PathValue("n"))
		switch {
		case err != nil || n < 1 || strconv.Itoa(n) != r.PathValue("n"):
			s.notFound(w, r, "There is no such page of this theme.")
		case n == 1:
			http.Redirect(w, r, themePageURL(s.opts.Snapshot().BaseURL, id, 1), http.StatusMovedPermanently)
		default:
			s.themePage(w, r, id, n)
		}
	})
}

// themeFeedPath returns the document path of /themes/FILE when FILE names
// one of a theme's feeds (ID.atom, ID.rss, ID.json); FILE is else a
// theme's page.
func themeFeedPath(file string) (string, bool) {
	for _, format := range []string{feed.FormatAtom, feed.FormatRSS, feed.FormatJSON} {
		if id, ok := strings.CutSuffix(file, "."+format); ok {
			return feed.ThemeFeedPath(id, format), true
		}
	}
	return "", false
}

func (s *server) handleIndex() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.servePage(w, r, "index", "index", func(ctx context.Context, snap *feed.Snapshot) (any, error) {
			secs, err := sections(ctx, snap, 5)
			return indexPage{Site: s.site(snap), Sections: secs, Subscribe: s.hasRoute(RouteSubscribe)}, err
		})
	})
}

func (s *server) handleArticle() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.opts.Snapshot()
		e, err := snap.Full(r.Context(), r.PathValue("id"))
		if errors.Is(err, feed.ErrNotFound) {
			s.notFound(w, r, "There is no article with this id. It may have been removed from the seeds folder.")
			return
		}
		if err != nil && r.Context().Err() != nil {
			return // the client has gone: nobody reads an answer
		}
		if err != nil {
			s.opts.Log.Error("article page", "err", err)
			http.Error(w, "the article could not be read", http.StatusInternalServerError)
			return
		}
		s.render(w, r, http.StatusOK, "article", articlePage{Site: s.site(snap), Article: fullArticle(snap, e)})
	})
}

// themePage serves page n of the theme id's articles, newest first.
func (s *server) themePage(w http.ResponseWriter, r *http.Request, id string, n int) {
	snap := s.opts.Snapshot()
	if _, ok := snap.Taxonomy.Lookup(id); !ok {
		s.notFound(w, r, "There is no such theme.")
		return
	}
	if n > s.themePages(snap, id) {
		s.notFound(w, r, "There is no such page of this theme: it has fewer articles.")
		return
	}
	key := "theme/" + id
	if n > 1 {
		key = "" // older pages are rare: a crawl of them all is not kept
	}
	s.servePage(w, r, key, "theme", func(ctx context.Context, snap *feed.Snapshot) (any, error) {
		th, _ := snap.Taxonomy.Lookup(id) // every snapshot has the corpus's one taxonomy
		all := snap.ThemeEntries(id)
		p := themePage{Site: s.site(snap), Theme: th, Total: len(all), Page: n, Pages: s.themePages(snap, id),
			Subscribe: n == 1 && s.hasRoute(RouteSubscribe)}
		shown := all[min(len(all), (n-1)*s.opts.ThemePage):min(len(all), n*s.opts.ThemePage)]
		sums, err := snap.Summaries(ctx, shown)
		if err != nil {
			return nil, err
		}
		for _, e := range shown {
			p.Items = append(p.Items, itemOf(snap, e, sums[e.ID], th.Color))
		}
		if n < p.Pages {
			p.Older = themePageURL(snap.BaseURL, id, n+1)
		}
		if n > 1 {
			p.Newer = themePageURL(snap.BaseURL, id, n-1)
		}
		return p, nil
	})
}

// themePageURL is the address of page n of the theme id: /themes/ID for
// the first, /themes/ID/page/N for the others.
func themePageURL(base, id string, n int) string {
	u := feed.ThemeURL(base, id)
	if n > 1 {
		u += "/page/" + strconv.Itoa(n)
	}
	return u
}

// themePages is how many pages the theme id's articles fill: one at
// least, which says the theme has none yet.
func (s *server) themePages(snap *feed.Snapshot, id string) int {
	return max(1, (len(snap.ThemeEntries(id))+s.opts.ThemePage-1)/s.opts.ThemePage)
}

// handleHealth reports the corpus and whatever Status adds, as JSON, with
// 503 when Status says the service is not "ok".
func (s *server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.opts.Snapshot()
		out := map[string]any{
			"status":    "ok",
			"articles":  len(snap.Entries),
			"visible":   len(snap.Visible()),
			"failed":    len(snap.Failed),
			"version":   snap.Version,
			"last_scan": snap.Scanned.UTC().Format(time.RFC3339),
			"partial":   snap.Partial,
		}
		if s.opts.Status != nil {
			for k, v := range s.opts.Status() {
				out[k] = v
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if out["status"] != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			s.opts.Log.Error("http: encode health", "err", err)
		}
	})
}

// handleNotFound answers paths no route has for the request's method: 405
// with an Allow header listing the methods the path has, else the 404 page.
func (s *server) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := s.allowed(r); allow != "" {
			w.Header().Set("Allow", allow)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		s.notFound(w, r, "There is nothing at this address.")
	})
}

// probedMethods are the methods a route of the site may have.
var probedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed lists, as an Allow header, the methods some route has for r's
// path; "" when none does. A GET route serves HEAD too.
func (s *server) allowed(r *http.Request) string {
	var list []string
	probe := r.WithContext(r.Context()) // a shallow copy whose method is changed
	for _, m := range probedMethods {
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			list = append(list, m)
		}
	}
	return strings.Join(list, ", ")
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	s.render(w, r, http.StatusNotFound, "notfound", notFoundPage{Site: s.site(s.opts.Snapshot()), Message: msg})
}

// servePage serves a page that depends on the snapshot alone, not on the
// request: rendered once per snapshot and kept under key (see pageCache),
// or rendered for the request when key is "", then served as a feed is,
// with an ETag, 304s and gzip.
func (s *server) servePage(w http.ResponseWriter, r *http.Request, key, page string, data func(context.Context, *feed.Snapshot) (any, error)) {
	render := func(ctx context.Context, snap *feed.Snapshot, prev *feed.Document, now time.Time) (*feed.Document, error) {
		d, err := data(ctx, snap)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := s.pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
			return nil, err
		}
		return feed.NewDocument(buf.Bytes(), htmlType, now, prev), nil
	}
	var doc *feed.Document
	var err error
	if key == "" {
		// Nothing says when a page rendered per request last changed:
		// no Last-Modified (the zero time), only its ETag, so that an
		// If-Modified-Since alone never gets a 304 for changed bytes.
		doc, err = render(r.Context(), s.opts.Snapshot(), nil, time.Time{})
	} else {
		// Kept for every visitor: one who leaves does not stop it.
		ctx := context.WithoutCancel(r.Context())
		doc, err = s.cache.get(s.opts.Snapshot(), key, func(snap *feed.Snapshot, prev *feed.Document) (*feed.Document, error) {
			return render(ctx, snap, prev, s.opts.Now())
		})
	}
	if err != nil && r.Context().Err() != nil {
		return // the client has gone: nobody reads an answer
	}
	if err != nil {
		s.opts.Log.Error("http: render page", "page", page, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	serveWith(w, r, doc, pageCacheControl)
}

// htmlType is the media type of every page.
const htmlType = "text/html; charset=utf-8"

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, code int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.opts.Log.Error("http: render page", "page", page, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", htmlType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func (s *server) hasRoute(pattern string) bool {
	_, ok := s.opts.Routes[pattern]
	return ok
}
