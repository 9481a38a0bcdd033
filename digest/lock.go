package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockPoll is how often a run that waits for the send lock tries again.
const lockPoll = 500 * time.Millisecond

// lock takes the send lock: an OS file lock (flock) on Options.LockFile,
// held until the returned function is called. The kernel frees it when the
// process ends, however it ends, so a killed run never blocks the next one
// and a live run, however slow, is never overtaken. Another holder makes
// lock fail with ErrBusy, or, with wait, try again until ctx ends.
func (d *Digest) lock(ctx context.Context, wait bool) (unlock func(), err error) {
	path := d.opts.LockFile
	if path == "" {
		return nil, errors.New("no lock file configured: refusing to send without one")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("send lock: %w", err)
	}
	fd := int(f.Fd())
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("send lock %s: %w", path, err)
		}
		if !wait {
			holder := lockHolder(f)
			f.Close()
			if holder != "" {
				return nil, fmt.Errorf("%w (%s)", ErrBusy, holder)
			}
			return nil, ErrBusy
		}
		if err := sleep(ctx, lockPoll); err != nil {
			f.Close()
			return nil, fmt.Errorf("waiting for the send lock: %w", err)
		}
	}
	// Say who holds it, for the message another run prints.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d since %s", os.Getpid(), d.opts.Now().UTC().Format(time.RFC3339))
	}
	return func() {
		f.Truncate(0)
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockHolder reads what the holder of the lock wrote into the file.
func lockHolder(f *os.File) string {
	b := make([]byte, 128)
	n, _ := f.ReadAt(b, 0)
	return string(bytes.TrimSpace(b[:n]))
}
