package web

import (
	"net/http"
	"strings"

	"github.com/kdigest/kdigest/feed"
)

// Starting serves a restart's saved feeds while its corpus loads (see
// feed.SavedDocuments): each feed and the OPML list as the site serves
// them (same bytes, ETag and Last-Modified, so a reader's conditional
// request gets its 304), and every other path, pages, forms and /healthz
// included, 503 with Retry-After: the site is whole again within
// seconds. docs maps a document's path to it, as Snapshot.Document does;
// nil (a first start, or before the saved feeds are read) answers every
// path 503.
func Starting(docs map[string]*feed.Document) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if doc, ok := docs[startingPath(r.URL.Path)]; ok {
				serveDocument(w, r, doc)
				return
			}
		}
		w.Header().Set("Retry-After", "2")
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("{\n  \"status\": \"starting\"\n}\n"))
			return
		}
		http.Error(w, "The site is starting: its articles are loading. Try again in a few seconds.", http.StatusServiceUnavailable)
	})
}

// startingPath is the document path of a request path, as the routes map
// them: "feed.atom" for /feed.atom, themeFeedPath's for /themes/FILE.
func startingPath(p string) string {
	if file, ok := strings.CutPrefix(p, "/themes/"); ok {
		path, _ := themeFeedPath(file)
		return path
	}
	return strings.TrimPrefix(p, "/")
}
