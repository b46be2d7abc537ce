// Package pgtest gives each test a fresh, empty place in a PostgreSQL
// server: a schema of its own in the database ANNOTATE_TEST_POSTGRES
// names, dropped when the test ends. Without ANNOTATE_TEST_POSTGRES the
// test is skipped, saying how to run it (.ci/run starts a throwaway
// server and sets it).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the variable naming the server tests use: a URL
// (postgres://user@host/db) or a key=value connection string
// ("host=/tmp/sock user=postgres dbname=postgres").
const Env = "ANNOTATE_TEST_POSTGRES"

// SkipMessage is what a skipped test says.
const SkipMessage = "PostgreSQL tests skipped: set " + Env + "=… (a URL or connection string of a server the tests may create schemas on) or run .ci/run, which starts a throwaway server"

// Server returns what ANNOTATE_TEST_POSTGRES names, skipping t when it is
// not set.
func Server(t testing.TB) string {
	t.Helper()
	conn := os.Getenv(Env)
	if conn == "" {
		t.Skip(SkipMessage)
	}
	return conn
}

// URL returns a postgres:// URL of a new, empty schema of the test
// server's database (the search_path of every connection made with it),
// dropped with everything in it when t ends.
func URL(t testing.TB) string {
	t.Helper()
	server := Server(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "annotate_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("%s=%q: %v", Env, server, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := asURL(server)
	if err != nil {
		t.Fatalf("%s=%q: %v", Env, server, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// asURL turns a connection string into a URL (a URL stays as it is).
func asURL(conn string) (*url.URL, error) {
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		return url.Parse(conn)
	}
	u := &url.URL{Scheme: "postgres", Path: "/"}
	q := url.Values{}
	var user, password string
	for _, f := range strings.Fields(conn) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not key=value (values with spaces are not supported here: use a URL)", f)
		}
		v = strings.Trim(v, "'")
		switch k {
		case "user":
			user = v
		case "password":
			password = v
		case "dbname":
			u.Path = "/" + v
		default:
			q.Set(k, v)
		}
	}
	switch {
	case password != "":
		u.User = url.UserPassword(user, password)
	case user != "":
		u.User = url.User(user)
	}
	u.RawQuery = q.Encode()
	return u, nil
}
