package testenv

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/dreamerscave/tdc/app/db"
)

// Statement is one statement a pool sent: a query or exec with its
// arguments, or "BEGIN" for a transaction.
type Statement struct {
	Query string
	Args  []any
}

// Name is the sqlc name of the statement's query ("EventIndexList", from
// its "-- name: EventIndexList :many" line), or the statement itself.
func (s Statement) Name() string {
	if rest, ok := strings.CutPrefix(s.Query, "-- name: "); ok {
		name, _, _ := strings.Cut(rest, " ")
		return name
	}
	return s.Query
}

// Statements records what a pool from RecordingDB sends to the database,
// for tests of which queries a piece of work costs.
type Statements struct {
	mu   sync.Mutex
	list []Statement
}

// Take returns the statements sent since the last Take, in order.
func (s *Statements) Take() []Statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.list
	s.list = nil
	return out
}

func (s *Statements) add(query string, args []driver.NamedValue) {
	st := Statement{Query: query}
	for _, a := range args {
		st.Args = append(st.Args, a.Value)
	}
	s.mu.Lock()
	s.list = append(s.list, st)
	s.mu.Unlock()
}

// RecordingDB opens a pool of its own on the database at dsn, set up as
// db.Open sets one up, that records every statement it sends.
func RecordingDB(t testing.TB, dsn string) (*sql.DB, *Statements) {
	t.Helper()
	cfg, err := db.DSN(dsn)
	if err != nil {
		t.Fatalf("testenv: dsn: %v", err)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("testenv: connector: %v", err)
	}
	st := &Statements{}
	sqlDB := sql.OpenDB(recorder{connector, st})
	t.Cleanup(func() { sqlDB.Close() })
	return sqlDB, st
}

type recorder struct {
	driver.Connector
	st *Statements
}

func (r recorder) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := r.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return recordingConn{c, r.st}, nil
}

// recordingConn records and passes on what database/sql asks of the
// driver's connection (the MySQL driver's implements all of it).
type recordingConn struct {
	driver.Conn
	st *Statements
}

func (c recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip // database/sql prepares it instead
	}
	c.st.add(query, args)
	return q.QueryContext(ctx, query, args)
}

func (c recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.st.add(query, args)
	return e.ExecContext(ctx, query, args)
}

func (c recordingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.st.add("PREPARE "+query, nil)
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c recordingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("testenv: the driver's connection cannot begin with options")
	}
	c.st.add("BEGIN", nil)
	return b.BeginTx(ctx, opts)
}

func (c recordingConn) CheckNamedValue(v *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c recordingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c recordingConn) IsValid() bool {
	v, ok := c.Conn.(driver.Validator)
	return !ok || v.IsValid()
}
