package main

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// storage watches every write to the database, whichever package makes it
// (the corpus saving a change, the digest's ledger, subscribers): a write
// that fails because of the storage (disk full, I/O error, a read-only or
// vanished file) marks the storage failing, and the next write that
// succeeds clears it. /healthz reports it as "degraded" with 503.
type storage struct {
	now func() time.Time

	mu    sync.Mutex
	err   error     // the last storage failure; nil once a write succeeded
	since time.Time // when the failures began
	count int       // failed writes since then
}

// storageStatus is the storage's state for /healthz.
type storageStatus struct {
	OK       bool      `json:"ok"`
	Error    string    `json:"error,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Failures int       `json:"failed_writes,omitempty"`
}

// Status returns the storage's state.
func (s *storage) Status() storageStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		return storageStatus{OK: true}
	}
	return storageStatus{Error: s.err.Error(), Since: s.since, Failures: s.count}
}

// wrote records the outcome of a write: a storage failure, or a success.
// Other errors (a constraint, a busy database, a cancelled context) say
// nothing about the storage and are ignored.
func (s *storage) wrote(err error) {
	if err != nil && !storageFailure(err) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.err, s.count = nil, 0
		return
	}
	if s.err == nil {
		s.since = s.now()
	}
	s.err = err
	s.count++
}

// storageFailure reports a SQLite error that comes from the storage
// rather than from the statement.
func storageFailure(err error) bool {
	switch code, _ := sqliteCode(err); code {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PERM:
		return true
	}
	return false
}

// connector opens the database's connections wrapped so that s sees the
// outcome of every write.
type connector struct {
	driver.Connector
	s *storage
}

// sqliteConn is what the SQLite driver's connections implement, and what
// database/sql uses of them.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// Connect opens one connection.
func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks a method database/sql uses", conn)
	}
	return &watchedConn{sqliteConn: sc, s: c.s}, nil
}

// watchedConn reports a write's outcome when it is final: an Exec outside
// a transaction, or a Commit. A write inside a transaction that fails is a
// failure at once (the transaction will not commit).
type watchedConn struct {
	sqliteConn
	s    *storage
	inTx bool
}

func (c *watchedConn) exec(err error) {
	if err != nil || !c.inTx {
		c.s.wrote(err)
	}
}

func (c *watchedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.sqliteConn.ExecContext(ctx, query, args)
	c.exec(err)
	return r, err
}

func (c *watchedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.watchStmt(st)
}

func (c *watchedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *watchedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.sqliteConn.BeginTx(ctx, opts)
	if err != nil {
		c.exec(err)
		return nil, err
	}
	c.inTx = true
	return &watchedTx{Tx: tx, c: c}, nil
}

func (c *watchedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// watchedTx reports its commit.
type watchedTx struct {
	driver.Tx
	c *watchedConn
}

func (t *watchedTx) Commit() error {
	t.c.inTx = false
	err := t.Tx.Commit()
	t.c.s.wrote(err)
	return err
}

func (t *watchedTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}

// sqliteStmt is what the SQLite driver's statements implement.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func (c *watchedConn) watchStmt(st driver.Stmt) (driver.Stmt, error) {
	ss, ok := st.(sqliteStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("sqlite statement %T lacks a method database/sql uses", st)
	}
	return &watchedStmt{sqliteStmt: ss, c: c}, nil
}

// watchedStmt reports its Execs like the connection's.
type watchedStmt struct {
	sqliteStmt
	c *watchedConn
}

func (s *watchedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	r, err := s.sqliteStmt.ExecContext(ctx, args)
	s.c.exec(err)
	return r, err
}
