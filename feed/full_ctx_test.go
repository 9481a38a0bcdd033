package feed

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestFullHonoursItsContext checks that reading an article's body from
// the database (one the feeds do not carry) ends when the caller's
// context does: a page request whose client has gone must not wait for
// the database's one connection, which a change holds while it is saved
// (seconds, for a part of a first start).
func TestFullHonoursItsContext(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.Size = 1 })
	s := c.Snapshot()
	var id string
	for _, e := range s.Entries {
		if _, carried := s.feedBody(e.ID); !carried {
			id = e.ID
			break
		}
	}
	if id == "" {
		t.Fatal("every article's body is in memory: nothing is read from the database")
	}
	// A change in progress: it holds the database's one connection.
	tx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Full(ctx, id)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Full while the database is busy = %v, want the context's end", err)
		}
	case <-time.After(5 * time.Second):
		tx.Rollback() // lets Full go on
		<-done
		t.Fatal("Full still waited for the database 5 s after its context ended")
	}
}
