package article

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Evidence is what Parse is told beyond a file's own bytes. The zero value
// is valid: a page judged on its own, with no date check against a clock.
type Evidence struct {
	// Now is the current time: a stated date after it is not believed. A
	// zero Now skips that check.
	Now time.Time
	// LineDF maps a normalised line key (see LineKeys) to the number of
	// corpus documents that contain that line. Lines many documents share
	// are site templates: navigation, footers, section names.
	LineDF map[uint64]int
	// Docs is the number of documents LineDF was counted over.
	Docs int
	// Sidecar is the content of an optional NAME.json written beside the
	// seed by a scraper, or nil. Its fields (url, title, published, source)
	// win over what extraction finds.
	Sidecar []byte
}

// LineKeys returns the distinct line keys of a page, in the order the lines
// first appear, with the normalisation Parse uses to look lines up in
// Evidence.LineDF: case folded, digits made equal, spaces collapsed. A file
// Parse would reject for its bytes (empty, binary, too large) has none.
func LineKeys(name string, raw []byte) []uint64 { return Read(name, raw).LineKeys() }

// LineKeys is the package's LineKeys of the file.
func (f *File) LineKeys() []uint64 {
	if isHTML(f.name) || f.err != nil {
		return nil // go-trafilatura finds a page's chrome itself; Parse rejects the rest
	}
	ls := splitLines(f.text)
	seen := make(map[uint64]bool, len(ls))
	keys := make([]uint64, 0, len(ls))
	for _, l := range ls {
		k := lineKey(l.text)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// lineKey is the 64-bit FNV-1a hash of a line with its letters lower-cased,
// every digit read as 0 and runs of space as one space, so "© 2024 Name" and
// "© 2025 Name" share a key.
func lineKey(s string) uint64 {
	h := uint64(14695981039346656037)
	var buf [utf8.UTFMax]byte
	space := false
	for i := 0; i < len(s); {
		// ASCII, most of any page, a byte at a time: there unicode.IsSpace,
		// unicode.IsDigit and unicode.ToLower agree with these tests.
		var enc []byte
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ', '\t' <= c && c <= '\r':
				space = true
				continue
			case '0' <= c && c <= '9':
				c = '0'
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			buf[0], enc = c, buf[:1]
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			switch {
			case unicode.IsSpace(r):
				space = true
				continue
			case unicode.IsDigit(r):
				r = '0'
			default:
				r = unicode.ToLower(r)
			}
			enc = utf8.AppendRune(buf[:0], r)
		}
		if space {
			h = (h ^ ' ') * 1099511628211
			space = false
		}
		for _, b := range enc {
			h = (h ^ uint64(b)) * 1099511628211
		}
	}
	return h
}

// warnNoDate is the warning of an article that states no date, which a
// sidecar's date takes back.
const warnNoDate = "no publication date stated"

// maxSidecarTitle and maxSidecarSource bound what a sidecar may set: a
// longer field is a scraper's mistake (the body in the title), which
// every feed reader would show.
const (
	maxSidecarTitle  = 300
	maxSidecarSource = 100
)

// sidecar is the JSON a scraper may write beside a seed.
type sidecar struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Source    string `json:"source"`
}

// applySidecar lets the fields of ev.Sidecar override what extraction
// found. A sidecar that cannot be read, or a field that cannot be used, is
// reported in the warnings and ignored: the article itself stands.
func applySidecar(a *Article, name string, ev Evidence) {
	if len(ev.Sidecar) == 0 {
		return
	}
	file := strings.TrimSuffix(name, extOf(name)) + ".json"
	var sc sidecar
	if err := json.Unmarshal(ev.Sidecar, &sc); err != nil {
		a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: %v", file, err))
		return
	}
	if u := strings.TrimSpace(sc.URL); u != "" {
		if ok := validURL(u); ok {
			a.URL = u
		} else {
			a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: url %q is not an http(s) address", file, u))
		}
	}
	if t := cleanField(sc.Title); utf8.RuneCountInString(t) > maxSidecarTitle {
		a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: a title of %d characters is no headline", file, utf8.RuneCountInString(t)))
	} else if t != "" {
		a.Title, a.TitleSynthesized = t, false
	}
	if s := cleanField(sc.Source); utf8.RuneCountInString(s) > maxSidecarSource {
		a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: a source of %d characters is no outlet's name", file, utf8.RuneCountInString(s)))
	} else if s != "" {
		a.Source = s
	}
	if p := strings.TrimSpace(sc.Published); p != "" {
		st, ok := parseDate(p)
		switch {
		case !ok:
			a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: published %q is not a date", file, p))
		case !plausible(st, ev.Now):
			a.Warnings = append(a.Warnings, fmt.Sprintf("ignored sidecar %s: published %q is implausible", file, p))
		default:
			a.Published, a.PublishedPrecision = st.t, st.precision
			a.Warnings = slices.DeleteFunc(a.Warnings, func(w string) bool { return w == warnNoDate })
		}
	}
}

// validURL reports an absolute http or https address with a host.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || isInvisible(r) })
}

// cleanField normalises a text field from outside the page the way the
// page's text is normalised: one line, single spaces, no invisible
// characters.
func cleanField(s string) string {
	return strings.Join(strings.Fields(normalize([]byte(s))), " ")
}

// extOf returns the extension of name, dot included.
func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > strings.LastIndexAny(name, `/\`) {
		return name[i:]
	}
	return ""
}
