// Package cli implements annotate's commands: it parses flags, opens the
// store, and wires the formats and the screen together. cmd/annotate only
// calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/store/postgres"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// env is what every command gets: its streams and the common settings.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	dbPath         string
	annotator      string
	schemaPath     string
	lockTimeout    time.Duration
	// interactive is true when stdout is a terminal (for the screen).
	interactive bool
}

// errUsage marks an error in the command line (exit 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"import", "import articles or annotations: annotate import [--format text|jsonl|csv|native|spacy|doccano|labelstudio|brat] [--skip-invalid] [--replace|--merge|--prefer ours|theirs] PATH...", runImport},
		{"merge", "copy other databases' articles, annotations, history and registry in: " + mergeUsage, runMerge},
		{"list", "list articles with their status: annotate list [--json]", runList},
		{"export", "export: annotate export --format native|spacy|doccano|labelstudio|brat|conll|incidents-csv [-o FILE]", runExport},
		{"stats", "counts per status, label and annotator, and adjudication progress: annotate stats [--json]", runStats},
		{"agree", "agreement between annotators, or against gold: " + agreeUsage, runAgree},
		{"backup", "a consistent, checked copy of the database, also while it is in use: annotate backup [--force] FILE", runBackup},
		{"copy", "copy a whole database between bbolt files and PostgreSQL: " + copyUsage, runCopy},
		{"check", "verify the database file and every annotation", runCheck},
		{"schema", "print the schema in use (JSON), to start your own from", runSchema},
		{"history", "show the change history: annotate history [--everyone] [ARTICLE-ID] | --registry", runHistory},
		{"entities", "the entity registry: " + entitiesUsage, runEntities},
		{"review", "adjudicate annotators' versions into gold, by keyboard: annotate review [--annotators a,b]", runReview},
		{"serve", "serve the screen to a team over SSH, annotators known by their keys: " + serveUsage, runServe},
		{"suggest", "an article's suggestions: annotate suggest ARTICLE-ID [--patterns FILE] [--suggest-url URL] [--json]", runSuggest},
		{"pretag", "write suggestions as an annotator's: annotate pretag --annotator NAME [--patterns FILE] [--suggest-url URL] --all|ARTICLE-ID...", runPretag},
		{"demo", "try annotate on the built-in sample articles", runDemo},
		{"version", "print the version", runVersion},
	}
}

// Main runs annotate with args (without the program name) and returns the
// process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, interactive bool) int {
	// Messages name files, labels and annotators from outside: they reach
	// the terminal through the one sanitiser, never as control sequences.
	stderr = termtext.Writer(stderr)
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, lockTimeout: bolt.DefaultLockTimeout, interactive: interactive}
	name, args := splitCommand(args)
	if name == "help" || (name == "" && len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help")) {
		usage(stdout)
		return exitOK
	}
	var run func(*env, []string) error
	if name == "" {
		run = runScreen
	} else {
		for _, c := range commands() {
			if c.name == name {
				run = c.run
			}
		}
	}
	if run == nil {
		fmt.Fprintf(stderr, "annotate: unknown command %q: run `annotate help` for the list\n", name)
		return exitUsage
	}
	err := run(e, args)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errInterrupted):
		return 130
	}
	var u errUsage
	if errors.As(err, &u) {
		prefix := "annotate"
		if name != "" {
			prefix += " " + name
		}
		fmt.Fprintf(stderr, "%s: %s\n", prefix, u.msg)
		return exitUsage
	}
	var silent errSilent
	if errors.As(err, &silent) {
		return exitError
	}
	fmt.Fprintf(stderr, "annotate: %s\n", oneLine(err.Error()))
	return exitError
}

// splitCommand finds the command among the arguments, so that the common
// flags may come before it ("annotate --db x.db list") as well as after,
// and the screen's own ("annotate --suggest-url URL") need no command.
func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			// The first word is the command, known or not (the screen
			// takes no words of its own).
			rest := append(append([]string(nil), args[:i]...), args[i+1:]...)
			return a, rest
		}
		switch strings.TrimLeft(a, "-") {
		case "db", "annotator", "schema", "patterns", "suggest-url", "suggest-timeout", "prefer":
			i++ // the flag's value (patterns, suggest-*: the screen's and suggest's; prefer: merge's and import's)
		}
	}
	return "", args
}

// errSilent is returned by a command that already explained its failure.
type errSilent struct{}

func (errSilent) Error() string { return "failed" }

var errInterrupted = errors.New("interrupted")

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

func usage(w io.Writer) {
	fmt.Fprintln(w, "annotate: tag entities, claims, reliability and incidents in news articles, by keyboard.")
	fmt.Fprintln(w, "\nUsage:\n  annotate                open the annotation screen\n  annotate COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db PATH, --annotator NAME and --schema FILE; `annotate COMMAND -h` lists its own flags.")
}

// newFlags returns a flag set with the flags every command shares.
func (e *env) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("annotate "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.dbPath, "db", "", "database file, or a postgres:// URL (default $ANNOTATE_DB, else $XDG_DATA_HOME/annotate/annotate.db)")
	fs.StringVar(&e.annotator, "annotator", "", "annotator name (default $ANNOTATE_ANNOTATOR, else your user name)")
	fs.StringVar(&e.schemaPath, "schema", "", "schema file (JSON) to use and store with the database")
	return fs
}

// parse parses flags anywhere among the arguments ("import a.txt --skip-invalid"
// works as well as "import --skip-invalid a.txt") and returns the rest.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			rest = append(rest, args[1:]...)
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	e.resolve()
	if err := model.CheckName("annotator name", e.annotator); err != nil {
		return nil, errUsage{err.Error()}
	}
	return rest, nil
}

// resolve fills the database path and annotator from the environment.
func (e *env) resolve() {
	if e.dbPath == "" {
		e.dbPath = e.getenv("ANNOTATE_DB")
	}
	if e.dbPath == "" {
		e.dbPath = DefaultDBPath(e.getenv)
	}
	if e.annotator == "" {
		e.annotator = e.getenv("ANNOTATE_ANNOTATOR")
	}
	if e.annotator == "" {
		if u, err := user.Current(); err == nil && u.Username != "" {
			e.annotator = u.Username
		}
	}
	if e.annotator == "" {
		e.annotator = e.getenv("USER")
	}
	if e.annotator == "" {
		e.annotator = "annotator"
	}
}

// DefaultDBPath is $XDG_DATA_HOME/annotate/annotate.db, else
// ~/.local/share/annotate/annotate.db.
func DefaultDBPath(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "annotate", "annotate.db")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".local", "share", "annotate", "annotate.db")
}

// open opens the store and settles the schema: --schema FILE is checked and
// stored with the database; else the stored one; else the default. The
// store is PostgreSQL for a postgres:// --db, else the bbolt file.
func (e *env) open() (store.Store, *model.Schema, error) { return e.openFor(false) }

// openToWrite is open for a command about to write many records (import,
// merge, pretag): a bbolt file is verified first (every record's checksum
// and bbolt's pages), so nothing is written into a damaged database.
// Verifying a 100,000-article file of 381 MB takes 0.37 s (README, "The
// database file"). PostgreSQL keeps its own pages whole.
func (e *env) openToWrite() (store.Store, *model.Schema, error) { return e.openFor(true) }

func (e *env) openFor(verify bool) (store.Store, *model.Schema, error) {
	var schema *model.Schema
	if e.schemaPath != "" {
		data, err := readRegular(e.schemaPath)
		if err != nil {
			return nil, nil, fmt.Errorf("read schema: %w", err)
		}
		schema, err = model.ParseSchema(data, e.schemaPath)
		if err != nil {
			return nil, nil, err
		}
	}
	db, err := e.openStore(verify)
	if err != nil {
		return nil, nil, err
	}
	if schema != nil {
		if err := db.SetSchema(schema); err != nil {
			db.Close()
			return nil, nil, err
		}
		return db, schema, nil
	}
	schema, err = db.Schema()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if schema == nil {
		schema = model.DefaultSchema()
	}
	return db, schema, nil
}

// onPostgres reports whether --db names a PostgreSQL database.
func (e *env) onPostgres() bool { return postgres.IsURL(e.dbPath) }

// location is the database as messages name it: the file, or the URL
// without its password.
func (e *env) location() string {
	if e.onPostgres() {
		return postgres.Redact(e.dbPath)
	}
	return e.dbPath
}

// openStore opens the database --db names (see openToWrite for verify).
func (e *env) openStore(verify bool) (store.Store, error) {
	if e.onPostgres() {
		return postgres.Open(context.Background(), e.dbPath)
	}
	db, err := bolt.Open(e.dbPath, bolt.Options{LockTimeout: e.lockTimeout})
	if err != nil {
		return nil, err
	}
	if db.MigrationBackup != "" {
		fmt.Fprintf(e.stderr, "annotate: upgraded %s to this annotate's layout; a copy as it was is at %s\n", e.dbPath, db.MigrationBackup)
	}
	if verify {
		if err := db.Verify(); err != nil {
			db.Close()
			return nil, fmt.Errorf("%w; nothing was written", err)
		}
	}
	return db, nil
}

// openBolt is open (openToWrite when verify) for a command that works on
// bbolt files only (backup, merge), saying what to do instead for
// PostgreSQL.
func (e *env) openBolt(command, instead string, verify bool) (*bolt.DB, error) {
	if e.onPostgres() {
		return nil, fmt.Errorf("%s works on a bbolt file, and --db names a PostgreSQL database (%s): %s", command, e.location(), instead)
	}
	db, _, err := e.openFor(verify)
	if err != nil {
		return nil, err
	}
	return db.(*bolt.DB), nil
}

func runVersion(e *env, args []string) error {
	fs := flag.NewFlagSet("annotate version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "annotate", versionString())
	return nil
}

func versionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func runSchema(e *env, args []string) error {
	fs := e.newFlags("schema")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(e.dbPath); err != nil && e.schemaPath == "" && !e.onPostgres() {
		// No database yet: print the built-in default without creating one.
		_, err := e.stdout.Write(model.DefaultSchemaJSON())
		return err
	}
	_, schema, err := e.open()
	if err != nil {
		return err
	}
	return writeJSONIndent(e.stdout, schema)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// readRegular reads a file named on the command line, refusing anything
// but a regular file: reading a FIFO or a device would wait forever.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, errNotRegular(fi))
	}
	return os.ReadFile(path)
}

// errNotRegular says what a path that is not a regular file is.
func errNotRegular(fi os.FileInfo) error {
	return fmt.Errorf("is %s, not a file: annotate reads regular files (and folders of them to import)", store.FileKind(fi.Mode()))
}
