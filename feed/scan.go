package feed

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kdigest/kdigest/feed/article"
)

// IsSeed reports whether a file name is a seed the corpus reads: a .txt,
// .html or .htm file (in any case) that is not hidden, an editor's backup
// or lock file, or a partial download (.tmp, .part, .swp are other
// extensions). It is the one rule: the folder watcher is given it too.
func IsSeed(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "#") || strings.HasSuffix(base, "~") {
		return false
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".txt", ".html", ".htm":
		return true
	}
	return false
}

// idOf is the article id of a seed file: its name without the extension.
func idOf(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }

// IsSidecar reports whether a file name is a seed's optional NAME.json,
// whose fields (url, title, published, source) win over extraction: a
// change to it is a change to its seed.
func IsSidecar(name string) bool {
	base := filepath.Base(name)
	return !strings.HasPrefix(base, ".") && strings.EqualFold(filepath.Ext(base), ".json")
}

// SidecarName is the name of the sidecar of the seed name (NAME.json
// beside NAME.txt); given a path, the path of its sidecar.
func SidecarName(name string) string { return idOf(name) + ".json" }

// withSidecar gives j the seed's sidecar, when it has one (found by the
// rules of a seed: a link must stay inside the folder), and folds it into
// j's size and time, so that a change to either makes the record stale.
func withSidecar(root string, j job) job {
	if path, info, err := locate(root, SidecarName(j.name)); err == nil && info.Mode().IsRegular() {
		j.sidecar, j.sidecarSize = path, info.Size()
		j.size += info.Size()
		// Either file's time moving moves the pair's, even to an older
		// time (a copy restored with its own times).
		j.mod ^= int64(bits.RotateLeft64(uint64(info.ModTime().UnixNano()), 32))
	}
	return j
}

// job is one seed file to read.
type job struct {
	name string
	id   string
	path string // the file to read: the seed, or the target of its link
	size int64  // with the sidecar's
	mod  int64  // the seed's modification time, mixed with the sidecar's when it has one
	// sidecar is the path of the seed's NAME.json, or "".
	sidecar     string
	sidecarSize int64
}

// outcome is what reading one seed file gave.
type outcome struct {
	job
	hash    string
	sidecar []byte   // the sidecar's content, read with the file; nil for none
	rec     *record  // the new record, nil when the file failed
	parsed  *parsed  // what its parse adds to the record; nil when not parsed
	lines   []uint64 // the page's line keys, when it needs a parse
	prev    *record  // the record it replaces, when it needs a parse; nil for a new article
	err     error    // why the file failed
}

// ErrOutside reports a seed that is a symbolic link to a file outside the
// seeds folder. Such a link is ignored, as if the file were not there.
var ErrOutside = errors.New("link points outside the seeds folder")

// locate finds the file to read for the seed name in the seeds folder
// root (its real path): the file itself or, for a symbolic link, the
// link's target, which must be inside root. A missing file or a dangling
// link is fs.ErrNotExist; a link out of the folder, ErrOutside; a link
// loop, the error that says so.
func locate(root, name string) (string, fs.FileInfo, error) {
	p := filepath.Join(root, name)
	info, err := os.Lstat(p)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return p, info, err
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", nil, fmt.Errorf("follow link %s: %w", name, err)
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", nil, fmt.Errorf("%s -> %s: %w", name, target, ErrOutside)
	}
	info, err = os.Stat(target)
	return target, info, err
}

// absent reports a located seed that is not there to read: missing, a
// dangling link, a link out of the folder, or no regular file.
func absent(info fs.FileInfo, err error) bool {
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrOutside)
	}
	return !info.Mode().IsRegular()
}

// noteOutside logs a link out of the seeds folder the first time it is
// seen; logged holds the names already logged.
func (c *Corpus) noteOutside(name string, err error, logged map[string]bool) {
	if errors.Is(err, ErrOutside) && !logged[name] {
		logged[name] = true
		c.opts.Log.Warn("seed link ignored: its target is outside the seeds folder", "file", name, "err", err)
	}
}

// Rescan reads the whole seeds folder: new and changed files are parsed,
// unchanged ones (same size and modification time, or same content) are
// not, and files that are gone leave the corpus. A file that fails (to be
// read or parsed) is recorded in Snapshot.Failed and keeps its last good
// version, if any; the other files are not held back by it.
func (c *Corpus) Rescan(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.busy()()
	return c.retry(ctx, func() error { return c.rescan(ctx) })
}

func (c *Corpus) rescan(ctx context.Context) error {
	start := time.Now()
	root, err := c.statDir()
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	des, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	var names []string
	sidecars := map[string]bool{}
	for _, de := range des {
		if IsSeed(de.Name()) {
			names = append(names, de.Name())
		}
		if IsSidecar(de.Name()) {
			sidecars[de.Name()] = true
		}
	}
	// One stat per file, on every CPU: most of a rescan that finds nothing new.
	type located struct {
		path string
		info fs.FileInfo
		err  error
	}
	locs := make([]located, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range names {
		g.Go(func() error {
			l := &locs[i]
			l.path, l.info, l.err = locate(root, name)
			return nil
		})
	}
	g.Wait()
	present := make(map[string]bool, len(names))
	outside := map[string]bool{}
	links := map[string]string{}
	byID := make(map[string][]string, len(names)) // the files that can have each article id
	for i, name := range names {
		if l := locs[i]; l.err == nil && !absent(l.info, l.err) {
			byID[idOf(name)] = append(byID[idOf(name)], name)
		}
	}
	owners, failed := claim(byID)
	var jobs []job
	for i, name := range names {
		l := locs[i]
		if absent(l.info, l.err) {
			if errors.Is(l.err, ErrOutside) {
				outside[name] = c.outside[name]
				c.noteOutside(name, l.err, outside)
			}
			continue
		}
		present[name] = true
		id := idOf(name)
		if l.err == nil && l.path != filepath.Join(root, name) {
			links[name] = l.path
		}
		if l.err != nil {
			failed = append(failed, outcome{job: job{name: name, id: id}, err: l.err})
			continue
		}
		if owners[id] != name {
			continue // failed: another file has the id
		}
		j := job{name: name, id: id, path: l.path, size: l.info.Size(), mod: l.info.ModTime().UnixNano()}
		if sidecars[SidecarName(name)] {
			j = withSidecar(root, j)
		}
		if r := c.recs[j.id]; r != nil && c.current(r, j) {
			if _, bad := c.failed[name]; !bad {
				continue
			}
		}
		jobs = append(jobs, j)
	}
	c.outside, c.links = outside, links
	outs, err := c.readParts(ctx, jobs)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	ch := c.collect(append(outs, failed...))
	// A record whose file is gone but whose id another file now has (a.htm
	// renamed a.html) is replaced by the change, not removed after it.
	saved := make(map[string]bool, len(ch.save))
	for _, r := range ch.save {
		saved[r.id] = true
	}
	for _, r := range c.recs {
		if !r.removed && !present[r.file] && !saved[r.id] {
			ch.remove(r)
		}
	}
	for name := range c.failed {
		if !present[name] {
			ch.forget(name)
		}
	}
	if err := c.commit(ctx, ch, true); err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	c.opts.Log.Debug("rescan", "files", len(present), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// scanPart and partBytes bound the files a change reads and saves at
// once: a large one (a first start, a folder copied in) goes in parts, so
// memory holds one part's texts, not the folder's. Each part is parsed
// with the line statistics of the parts before it and itself (a part is
// one batch, see evidence).
const (
	scanPart  = 2048
	partBytes = 64 << 20
)

// readParts reads jobs in parts (see scanPart), saving each part but the
// last without publishing a snapshot, and returns the last part's
// outcomes for the caller to commit with the rest of its change. A part
// is saved while the next one is parsed, on another core; only a first
// start's first part is saved, and published as a preview, before the
// next one is read.
func (c *Corpus) readParts(ctx context.Context, jobs []job) ([]outcome, error) {
	var saving *change // the part before, saved while this one is parsed
	total, start := len(jobs), time.Now()
	for {
		n, size := 0, int64(0)
		for n < len(jobs) && n < c.scanPart && (n == 0 || size+jobs[n].size <= c.partBytes) {
			size += jobs[n].size
			n++
		}
		if saving != nil && len(c.snap.Load().Entries) == 0 {
			// A first start's first part is saved and published before
			// the next part is read: its readers wait for one part, not
			// for one and the next one's reading (0.2–0.3 s at 2,048
			// files), at the cost of one save beside no parse.
			if err := c.commit(ctx, saving, false); err != nil {
				return nil, err
			}
			c.preview(ctx)
			saving = nil
		}
		b, err := c.prepare(ctx, jobs[:n], saving)
		if err != nil {
			return nil, err
		}
		var wg sync.WaitGroup
		var serr error
		if saving != nil {
			wg.Go(func() { serr = c.commit(ctx, saving, false) })
		}
		err = c.parseBatch(ctx, b)
		wg.Wait()
		if err := cmp.Or(serr, err); err != nil {
			return nil, err
		}
		if n == len(jobs) {
			return b.outs, nil
		}
		// A first start of a large folder, or every page after a new
		// release of the pipeline, takes a while: say how far it is.
		c.opts.Log.Info("reading the seeds folder", "files", total-len(jobs)+n, "of", total,
			"elapsed", time.Since(start).Round(time.Second))
		saving = c.collect(b.outs)
		jobs = jobs[n:]
	}
}

// claim applies the rule "one article id, one file": of the present seed
// files that share an id (a.txt and a.html), the first in name order has
// it. byID lists the files of each id; claim returns each id's owner and,
// in name order, a failure for every other file.
func claim(byID map[string][]string) (map[string]string, []outcome) {
	owners := make(map[string]string, len(byID))
	var lost []outcome
	for id, names := range byID {
		owner := slices.Min(names)
		owners[id] = owner
		for _, n := range names {
			if n != owner {
				lost = append(lost, outcome{job: job{name: n, id: id},
					err: fmt.Errorf("article id %q is %s's: rename one of them", id, owner)})
			}
		}
	}
	slices.SortFunc(lost, func(a, b outcome) int { return strings.Compare(a.name, b.name) })
	return owners, lost
}

// Apply brings the changes of the named seed files into the corpus:
// created, changed or removed. Names are base names or paths; other files
// are not read, and the feeds are rendered once for the whole batch. Names
// that are not seeds (see IsSeed) are ignored. A file that cannot be read
// is recorded in Snapshot.Failed; the rest of the batch is applied.
func (c *Corpus) Apply(ctx context.Context, names ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.busy()()
	return c.retry(ctx, func() error { return c.apply(ctx, slices.Clone(names)) })
}

func (c *Corpus) apply(ctx context.Context, names []string) error {
	start := time.Now()
	root, err := c.statDir()
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	ch := &change{}
	var jobs []job
	var failed []outcome
	var gone []string // files gone whose record may leave the corpus
	seen := map[string]bool{}
	for i := 0; i < len(names); i++ {
		name := filepath.Base(names[i])
		if IsSidecar(name) {
			// A sidecar's seed is read again, whatever its extension.
			if r := c.recs[idOf(name)]; r != nil && !r.removed {
				names = append(slices.Clip(names), r.file)
			}
			continue
		}
		if !IsSeed(name) || seen[name] {
			continue
		}
		seen[name] = true
		// A link to the file reads what the file now holds, or nothing.
		for link, target := range c.links {
			if target == filepath.Join(root, name) {
				names = append(slices.Clip(names), link)
			}
		}
		id := idOf(name)
		path, info, err := locate(root, name)
		delete(c.links, name)
		if err == nil && path != filepath.Join(root, name) {
			c.links[name] = path
		}
		switch {
		case absent(info, err):
			c.noteOutside(name, err, c.outside)
			if r := c.recs[id]; r != nil && !r.removed && r.file == name {
				gone = append(gone, name) // removed after the reads, unless another file has the id now
				// A file that the id was taken from may have it now.
				for other := range c.failed {
					if other != name && idOf(other) == id {
						names = append(slices.Clip(names), other) // never into the caller's array
					}
				}
			}
			if _, bad := c.failed[name]; bad {
				ch.forget(name)
			}
		case err != nil:
			failed = append(failed, outcome{job: job{name: name, id: id}, err: err})
		default:
			delete(c.outside, name)
			jobs = append(jobs, withSidecar(root, job{name: name, id: id, path: path, size: info.Size(), mod: info.ModTime().UnixNano()}))
		}
	}
	// One id, one file (claim), among the files of this batch and the
	// one already served, when it is still there.
	byID := map[string][]string{}
	for _, j := range jobs {
		byID[j.id] = append(byID[j.id], j.name)
	}
	for id, names := range byID {
		if r := c.recs[id]; r != nil && !r.removed && !seen[r.file] {
			if _, info, err := locate(root, r.file); err == nil && !absent(info, err) {
				byID[id] = append(names, r.file)
			}
		}
	}
	owners, lost := claim(byID)
	failed = append(failed, lost...)
	jobs = slices.DeleteFunc(jobs, func(j job) bool { return owners[j.id] != j.name })
	slices.SortFunc(jobs, func(a, b job) int { return strings.Compare(a.name, b.name) })
	var outs []outcome
	if len(jobs) > 0 {
		if outs, err = c.readParts(ctx, jobs); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	ch.merge(c.collect(append(outs, failed...)))
	// A record whose file is gone but whose id another file of the batch
	// now has (a.txt renamed a.TXT or a.html) is replaced by the change,
	// not removed as well: as Rescan has it. Parts saved already are in
	// c.recs.
	saved := make(map[string]bool, len(ch.save))
	for _, r := range ch.save {
		saved[r.id] = true
	}
	for _, name := range gone {
		if r := c.recs[idOf(name)]; r != nil && !r.removed && r.file == name && !saved[r.id] {
			ch.remove(r)
		}
	}
	if err := c.commit(ctx, ch, true); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	c.opts.Log.Debug("apply", "files", len(seen), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// current reports whether r already holds what the file j would give.
func (c *Corpus) current(r *record, j job) bool {
	return !r.removed && r.entry != nil && r.file == j.name && r.size == j.size &&
		r.mtime == j.mod && c.upToDate(r)
}

// upToDate reports whether r's fields were made by this parser and taxonomy.
func (c *Corpus) upToDate(r *record) bool {
	return r.entry != nil && r.extractor == c.opts.ParserVersion && r.taxonomy == c.opts.Taxonomy.Hash()
}

// batch is a part of a change between its two passes (see prepare).
type batch struct {
	outs   []outcome
	files  []*article.File // the files to parse, read
	counts *lineCounts
}

// prepare is a batch's first pass, on every CPU: it reads and hashes
// every file, takes the line keys of those that need a parse and counts
// them in the corpus's line statistics, with those of the change ahead,
// when not nil, which is saved as the batch is parsed (see batchCounts).
// Called with c.mu held and no change being saved.
func (c *Corpus) prepare(ctx context.Context, jobs []job, ahead *change) (*batch, error) {
	b := &batch{outs: make([]outcome, len(jobs)), files: make([]*article.File, len(jobs))}
	err := forEach(ctx, len(jobs), func(i int) {
		raw, o := c.readFile(jobs[i])
		b.outs[i] = o
		if raw == nil || !c.needsParse(&b.outs[i]) {
			return
		}
		f := article.Read(jobs[i].name, raw)
		b.outs[i].lines = f.LineKeys()
		if b.outs[i].lines == nil {
			b.outs[i].lines = []uint64{} // to parse all the same: Parse says why it fails
		}
		b.files[i] = f
	})
	if err != nil {
		return nil, err
	}
	if b.counts, err = c.batchCounts(ctx, b.outs, ahead); err != nil {
		return nil, err
	}
	return b, nil
}

// parseBatch is a batch's second pass, on every CPU: it parses each file
// that needs it with its evidence. It reads nothing of the corpus but its
// options and the batch, so a change may be saved meanwhile.
func (c *Corpus) parseBatch(ctx context.Context, b *batch) error {
	return forEach(ctx, len(b.outs), func(i int) {
		o := &b.outs[i]
		if o.err != nil || o.rec != nil || o.lines == nil {
			return
		}
		c.parse(o, b.files[i], b.counts.page(o.lines))
		b.files[i] = nil
	})
}

// forEach calls f with 0 to n-1 on every CPU, and reports the context's
// end, after which the indexes not yet started are left.
func forEach(ctx context.Context, n int, f func(i int)) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { f(i); return nil })
	}
	g.Wait()
	return ctx.Err()
}

// readFile reads and hashes the file of j. A file that cannot be read
// gives a nil raw and the reason in the outcome.
func (c *Corpus) readFile(j job) ([]byte, outcome) {
	o := outcome{job: j}
	raw, err := readSeed(j.path, j.size-j.sidecarSize) // j.size counts the sidecar too
	if err != nil {
		o.err = err
		return nil, o
	}
	if j.sidecar != "" {
		// An unreadable sidecar is no sidecar: the seed stands alone.
		o.sidecar, _ = readSeed(j.sidecar, j.sidecarSize)
	}
	o.hash = contentHash(raw, o.sidecar)
	return raw, o
}

// contentHash is the content hash of a seed: its bytes and its sidecar's,
// if any. A new url or title in the sidecar is new content, and a copy
// with other fields in its sidecar is no exact copy.
func contentHash(raw, sidecar []byte) string {
	h := sha256.New()
	h.Write(raw)
	if sidecar != nil {
		h.Write([]byte("\x00sidecar\x00"))
		h.Write(sidecar)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// needsParse settles, without parsing, an outcome whose content the corpus
// already holds (the same content, parsed by this parser: only the file's
// times changed) or already failed on; it reports whether o needs a parse.
func (c *Corpus) needsParse(o *outcome) bool {
	j := o.job
	// The same bytes under another extension (x.txt renamed x.html) are
	// parsed another way: only a name of the same kind keeps the parse.
	if old := c.recs[j.id]; old != nil && !old.removed && old.hash == o.hash && c.upToDate(old) &&
		strings.EqualFold(filepath.Ext(old.file), filepath.Ext(j.name)) {
		r := *old
		r.file, r.size, r.mtime, r.removed = j.name, j.size, j.mod, false
		o.rec = &r
		return false
	}
	if f, ok := c.failed[j.name]; ok && f.hash == o.hash {
		o.err = errors.New(f.reason)
		return false
	}
	o.prev = c.recs[j.id]
	return true
}

// parse runs o's file through the pipeline, with ev as its evidence, and
// makes its record, which replaces o.prev.
func (c *Corpus) parse(o *outcome, f *article.File, ev article.Evidence) {
	j := o.job
	ev.Sidecar = o.sidecar
	now := c.now()
	ev.Now = now
	p, err := Analyze(f, ev, c.opts.Taxonomy)
	if err != nil {
		o.err = err
		return
	}
	r := &record{id: j.id, file: j.name, hash: o.hash, size: j.size, mtime: j.mod,
		firstSeen: now, updated: now, extractor: c.opts.ParserVersion, taxonomy: c.opts.Taxonomy.Hash()}
	if old := o.prev; old != nil {
		r.firstSeen, r.updated = old.firstSeen, old.updated
		if old.hash != o.hash {
			r.updated = now
		}
	}
	detach(p.Article)
	o.parsed = &parsed{body: p.Article.Body, warnings: p.Article.Warnings, summary: p.Article.Summary, print: p.Print, lines: o.lines}
	r.entry = c.newEntry(r, p.Article, p.Class)
	o.rec = r
}

// readSeed reads the file at path, whose size a stat just gave, through
// a limit of article.MaxSize whatever the stat said (a file in /proc says
// 0 bytes and has more). When the size holds it reads once: os.ReadFile
// stats the file again and reads until a read returns nothing, two of six
// system calls per file (a tenth of a cold start's time on a virtual
// machine). A larger file is article.ErrTooLarge.
func readSeed(path string, size int64) ([]byte, error) {
	if size > article.MaxSize {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", article.ErrTooLarge, size, article.MaxSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := io.LimitReader(f, article.MaxSize+1)
	buf := make([]byte, size+1) // one byte more, to see growth
	n, err := r.Read(buf)
	for n < int(size) && err == nil { // a short read: keep on to the size
		var m int
		m, err = r.Read(buf[n:])
		n += m
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n < len(buf) {
		return buf[:n], nil
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	raw := append(buf, rest...)
	if len(raw) > article.MaxSize {
		return nil, fmt.Errorf("%w (more than %d bytes)", article.ErrTooLarge, article.MaxSize)
	}
	return raw, nil
}
