package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
)

// cacheControl lets readers and proxies reuse a feed for five minutes.
const cacheControl = "public, max-age=300"

// handleDocument serves a pre-rendered document from memory: strong ETag,
// Last-Modified, 304 on If-None-Match or If-Modified-Since, the gzip
// variant when the client accepts it, and HEAD.
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

func serveDocument(w http.ResponseWriter, r *http.Request, doc *feed.Document) {
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	body, etag := doc.Body, doc.ETag
	if len(doc.Gzip) > 0 && acceptsGzip(r) {
		body = doc.Gzip
		// The encoded bytes are a different representation: a different tag.
		etag = strings.TrimSuffix(doc.ETag, `"`) + `-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	// ServeContent answers conditional requests (304), HEAD and ranges.
	http.ServeContent(w, r, "", doc.Modified, bytes.NewReader(body))
}

// acceptsGzip reports whether Accept-Encoding allows gzip (q > 0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// handleTheme serves /themes/{id}.atom (the theme's feed) and /themes/{id}
// (its page). ServeMux wildcards match whole segments, hence one route.
func (s *server) handleTheme() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if id, ok := strings.CutSuffix(file, ".atom"); ok {
			doc, found := s.opts.Snapshot().Document("themes/" + id + ".atom")
			if !found {
				s.notFound(w, r, "There is no such theme feed.")
				return
			}
			serveDocument(w, r, doc)
			return
		}
		s.themePage(w, r, file)
	})
}

func (s *server) handleIndex() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.opts.Snapshot()
		s.render(w, r, http.StatusOK, "index", indexPage{Site: s.site(snap), Sections: sections(snap, 5), Subscribe: s.hasRoute("POST /subscribe")})
	})
}

func (s *server) handleArticle() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.opts.Snapshot()
		e, ok := snap.Article(r.PathValue("id"))
		if !ok {
			s.notFound(w, r, "There is no article with this id. It may have been removed from the seeds folder.")
			return
		}
		s.render(w, r, http.StatusOK, "article", articlePage{Site: s.site(snap), Article: fullArticle(snap, e)})
	})
}

func (s *server) themePage(w http.ResponseWriter, r *http.Request, id string) {
	snap := s.opts.Snapshot()
	th, ok := snap.Taxonomy.Lookup(id)
	if !ok {
		s.notFound(w, r, "There is no such theme.")
		return
	}
	var items []item
	for _, e := range snap.ThemeEntries(id) {
		items = append(items, itemOf(snap, e, th.Color))
		if len(items) == 100 {
			break
		}
	}
	s.render(w, r, http.StatusOK, "theme", themePage{Site: s.site(snap), Theme: th, Items: items})
}

// handleHealth reports the corpus and whatever Status adds, as JSON.
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
		}
		if s.opts.Status != nil {
			for k, v := range s.opts.Status() {
				out[k] = v
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			s.opts.Log.Error("http: encode health", "err", err)
		}
	})
}

// handleNotFound answers paths no route has: 405 with Allow when the path
// exists for GET, else the 404 page.
func (s *server) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			probe := r.Clone(r.Context())
			probe.Method = http.MethodGet
			if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
				w.Header().Set("Allow", "GET, HEAD")
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
		}
		s.notFound(w, r, "There is nothing at this address.")
	})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	s.render(w, r, http.StatusNotFound, "notfound", notFoundPage{Site: s.site(s.opts.Snapshot()), Message: msg})
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, code int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.opts.Log.Error("http: render page", "page", page, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func (s *server) hasRoute(pattern string) bool {
	_, ok := s.opts.Routes[pattern]
	return ok
}
