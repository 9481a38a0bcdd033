// Package feed owns the corpus: it scans the seeds folder, applies one
// file's change at a time, keeps each article's id, content hash and
// first-seen time in SQLite, and renders the Atom, RSS, JSON Feed and OPML
// documents once per change. It knows nothing of HTTP or email: feed/web
// serves the bytes it renders and digest reads its snapshots.
package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdigest/kdigest/feed/theme"
)

// ErrBaseURL reports an Options.BaseURL that is not an absolute http(s) URL.
var ErrBaseURL = errors.New("feed: base URL must be an absolute http or https URL")

// Options configures a Corpus. Zero fields get the defaults documented on
// each one when the corpus is opened.
type Options struct {
	// Dir is the seeds folder; only its *.txt files are read.
	Dir string
	// Size is the most entries a feed carries; default 50.
	Size int
	// BaseURL is the absolute base of every link, e.g. "https://example.org";
	// default "http://127.0.0.1:8080".
	BaseURL string
	// Title is the feeds' title; default "Karabakh diplomacy".
	Title string
	// IncludeIrrelevant puts off-topic articles into feeds and digests too.
	IncludeIrrelevant bool
	// Taxonomy classifies articles; default theme.Default().
	Taxonomy *theme.Taxonomy
	// Hub is a WebSub hub URL advertised in the feeds, or "".
	Hub string
	// OnChange, when set, is called with each new snapshot after a change,
	// while the corpus is locked: it must not call Rescan or Apply.
	OnChange func(*Snapshot)
	// OnSaved, when set, is called once the caches of a change (parsed
	// articles, fingerprints, stories) are written, which happens in the
	// background after the change is published. It may be called after
	// a later change's OnChange; it must not block.
	OnSaved func()
	// ParserVersion identifies the article parser; cached parses made by
	// another version are parsed again. Default: the binary's VCS revision,
	// or its size and modification time for a development build.
	ParserVersion string
	// Log receives one line per failed file and per change; default discards.
	Log *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Corpus is the set of articles in a seeds folder and the state that
// outlives restarts. Its methods are safe for concurrent use; changes are
// applied one at a time.
type Corpus struct {
	db    *sql.DB
	opts  Options
	host  string // BaseURL's host name, the authority of every tag: id
	codec *codec

	mu     sync.Mutex
	recs   map[string]*record // by article id, removed files included
	failed map[string]failure // by file name
	groups *grouping          // the last grouping into stories, or nil
	// caching is closed when the caches of the last commit are written;
	// nil when nothing is being written.
	caching chan struct{}
	// unpublished reports a change saved and in memory whose snapshot
	// could not be built; the next commit publishes it.
	unpublished bool
	// preloaded receives the saved fingerprints read in the background
	// after a start that reused its stories (see ReadAhead); nil when
	// none are being read.
	preloaded chan map[string]*theme.Print
	snap      atomic.Pointer[Snapshot]
}

// failure is why a file could not be used, and the content that failed,
// so an unchanged bad file is neither parsed nor logged again.
type failure struct {
	reason string
	hash   string
}

// Open migrates the corpus's table in db, loads the saved articles and
// publishes a first snapshot of them. It does not read Dir: call Rescan.
func Open(ctx context.Context, db *sql.DB, opts Options) (*Corpus, error) {
	opts, host, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	c := &Corpus{db: db, opts: opts, host: host, codec: newCodec(), failed: map[string]failure{}}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	if err := c.publish(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func withDefaults(o Options) (Options, string, error) {
	if o.Size <= 0 {
		o.Size = 50
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://127.0.0.1:8080"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return o, "", fmt.Errorf("open corpus: %q: %w", o.BaseURL, ErrBaseURL)
	}
	if o.Title == "" {
		o.Title = "Karabakh diplomacy"
	}
	if o.Taxonomy == nil {
		t, err := theme.Default()
		if err != nil {
			return o, "", fmt.Errorf("open corpus: %w", err)
		}
		o.Taxonomy = t
	}
	if o.ParserVersion == "" {
		o.ParserVersion = buildVersion()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, strings.ToLower(u.Hostname()), nil
}

// Snapshot returns the current snapshot; it never returns nil.
func (c *Corpus) Snapshot() *Snapshot { return c.snap.Load() }

// Dir returns the seeds folder the corpus reads.
func (c *Corpus) Dir() string { return c.opts.Dir }

func (c *Corpus) now() time.Time { return c.opts.Now().UTC() }

// statDir checks that the seeds folder exists, so a missing folder is an
// error rather than every article being removed.
func (c *Corpus) statDir() error {
	fi, err := os.Stat(c.opts.Dir)
	if err != nil {
		return fmt.Errorf("seeds folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("seeds folder %s: %w", c.opts.Dir, ErrNotDir)
	}
	return nil
}

// ErrNotDir reports a seeds path that is not a folder.
var ErrNotDir = errors.New("feed: not a directory")
