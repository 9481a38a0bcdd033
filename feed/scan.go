package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/kdigest/kdigest/feed/article"
)

// seedName reports whether a file name is a seed: a visible .txt file that
// is not an editor's backup or a partial download.
func seedName(name string) bool {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") {
		return false
	}
	return strings.HasSuffix(name, ".txt") && len(name) > len(".txt")
}

// idOf is the article id of a seed file: its name without the extension.
func idOf(name string) string { return strings.TrimSuffix(name, ".txt") }

// job is one seed file to read.
type job struct {
	name string
	id   string
	size int64
	mod  int64
}

// outcome is what reading one seed file gave.
type outcome struct {
	job
	hash string
	rec  *record // the new record, nil when the file failed
	err  error   // why the file failed
}

// Rescan reads the whole seeds folder: new and changed files are parsed,
// unchanged ones (same size and modification time, or same content) are
// not, and files that are gone leave the corpus. A file that fails to parse
// is recorded in Snapshot.Failed and keeps its last good version, if any.
func (c *Corpus) Rescan(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := time.Now()
	if err := c.statDir(); err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	des, err := os.ReadDir(c.opts.Dir)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	var names []string
	for _, de := range des {
		if seedName(de.Name()) {
			names = append(names, de.Name())
		}
	}
	// One stat per file, on every CPU: most of a rescan that finds nothing new.
	infos := make([]fs.FileInfo, len(names))
	parallel(len(names), func(i int) {
		infos[i], _ = os.Stat(filepath.Join(c.opts.Dir, names[i])) // follows symlinks
	})
	present := make(map[string]bool, len(names))
	var jobs []job
	for i, name := range names {
		info := infos[i]
		if info == nil || !info.Mode().IsRegular() {
			continue // gone since the listing, or not a file
		}
		j := job{name: name, id: idOf(name), size: info.Size(), mod: info.ModTime().UnixNano()}
		present[name] = true
		if r := c.recs[j.id]; r != nil && c.current(r, j) {
			if _, bad := c.failed[name]; !bad {
				continue
			}
		}
		jobs = append(jobs, j)
	}
	outs, err := c.read(ctx, jobs)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	ch := c.collect(outs)
	for _, r := range c.recs {
		if !r.removed && !present[r.file] {
			ch.remove(r)
		}
	}
	for name := range c.failed {
		if !present[name] {
			ch.forget(name)
		}
	}
	if err := c.commit(ctx, ch); err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	c.opts.Log.Debug("rescan", "files", len(present), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// Apply brings the changes of the named seed files into the corpus:
// created, changed or removed. Names are base names or paths; other files
// are not read, and the feeds are rendered once for the whole batch. Names
// that are not seeds (hidden, backup, not .txt) are ignored.
func (c *Corpus) Apply(ctx context.Context, names ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := time.Now()
	if err := c.statDir(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	ch := &change{}
	var jobs []job
	seen := map[string]bool{}
	for _, name := range names {
		name = filepath.Base(name)
		if !seedName(name) || seen[name] {
			continue
		}
		seen[name] = true
		info, err := os.Stat(filepath.Join(c.opts.Dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist) || (err == nil && !info.Mode().IsRegular()):
			if r := c.recs[idOf(name)]; r != nil && !r.removed && r.file == name {
				ch.remove(r)
			}
			if _, bad := c.failed[name]; bad {
				ch.forget(name)
			}
		case err != nil:
			return fmt.Errorf("apply %s: %w", name, err)
		default:
			jobs = append(jobs, job{name: name, id: idOf(name), size: info.Size(), mod: info.ModTime().UnixNano()})
		}
	}
	if len(jobs) > 0 {
		outs, err := c.read(ctx, jobs)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		ch.merge(c.collect(outs))
	}
	if err := c.commit(ctx, ch); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	c.opts.Log.Debug("apply", "files", len(seen), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// current reports whether r already holds what the file j would give.
func (c *Corpus) current(r *record, j job) bool {
	return !r.removed && r.art != nil && r.file == j.name && r.size == j.size &&
		r.mtime == j.mod && r.parser == c.opts.ParserVersion
}

// read reads, hashes, parses and classifies the files of jobs in parallel.
// Called with c.mu held; workers only read c.recs and c.failed.
func (c *Corpus) read(ctx context.Context, jobs []job) ([]outcome, error) {
	outs := make([]outcome, len(jobs))
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // each file's bytes, reused: the parse copies what it keeps
			for i := range next {
				outs[i], buf = c.readOne(jobs[i], buf)
			}
		}()
	}
	var err error
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return outs, err
}

// readOne reads the file of j into buf (grown as needed, and returned for
// the next file: nothing read keeps a reference to it) and parses it.
func (c *Corpus) readOne(j job, buf []byte) (outcome, []byte) {
	o := outcome{job: j}
	if j.size > article.MaxSize {
		o.err = fmt.Errorf("%w (%d bytes, limit %d)", article.ErrTooLarge, j.size, article.MaxSize)
		return o, buf
	}
	raw, err := readSeed(filepath.Join(c.opts.Dir, j.name), j.size, buf)
	if err != nil {
		o.err = err
		return o, buf
	}
	return c.parseOne(o, raw), raw[:0]
}

// parseOne hashes, parses and classifies the bytes of o's file. The
// outcome keeps no reference to raw.
func (c *Corpus) parseOne(o outcome, raw []byte) outcome {
	j := o.job
	sum := sha256.Sum256(raw)
	o.hash = hex.EncodeToString(sum[:])
	old := c.recs[j.id]
	if old != nil && old.hash == o.hash && old.art != nil && old.parser == c.opts.ParserVersion {
		r := *old
		r.file, r.size, r.mtime, r.removed = j.name, j.size, j.mod, false
		o.rec = &r
		return o
	}
	if f, ok := c.failed[j.name]; ok && f.hash == o.hash {
		o.err = errors.New(f.reason)
		return o
	}
	now := c.now()
	a, err := article.Parse(j.name, raw, article.Evidence{Now: now})
	if err != nil {
		o.err = err
		return o
	}
	a.ID = j.id // the corpus's key, whatever the parser made of the name
	r := &record{id: j.id, file: j.name, hash: o.hash, size: j.size, mtime: j.mod,
		firstSeen: now, updated: now, parser: c.opts.ParserVersion, art: a}
	if old != nil {
		r.firstSeen, r.updated = old.firstSeen, old.updated
		if old.hash != o.hash {
			r.updated = now
		}
	}
	res, p := c.opts.Taxonomy.Analyze(a)
	r.class, r.print = c.verdict(res), p
	r.entry = c.newEntry(r)
	o.rec = r
	return o
}

// readSeed reads a file whose size a stat just gave into buf's memory when
// it is large enough. os.ReadFile stats the file again and reads until a
// read returns nothing; this reads once when the size still holds, which
// spares two of six system calls per file (a tenth of a cold start's time
// on a virtual machine). A file that grew since the stat is read to its
// end; one that shrank, to its end.
func readSeed(path string, size int64, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, size+1, max(size+1, 64<<10))
	}
	buf = buf[:size+1] // one byte more, to see growth
	n, err := f.Read(buf)
	for n < int(size) && err == nil { // a short read: keep on to the size
		var m int
		m, err = f.Read(buf[n:])
		n += m
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n < len(buf) {
		return buf[:n], nil
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return append(buf, rest...), nil
}
