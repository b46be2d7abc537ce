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
	"slices"
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
	// uses is how the command uses --annotator (see checkAnnotator);
	// annotators are the annotators the database holds, read by it.
	uses       annotatorUse
	annotators []string
	// flags is the last flag set newFlags made: the command's (its
	// help's test reads it).
	flags *flag.FlagSet
}

// annotatorUse is how a command uses the annotator --annotator names.
type annotatorUse int

const (
	// annotatorUnused: the command does not read or write an
	// annotator's work (stats, agree, check, backup, copy, ...).
	annotatorUnused annotatorUse = iota
	// annotatorReads: the command reads the annotator's work (list,
	// export, history, suggest): the name must be one of the
	// database's annotators or look like none of them.
	annotatorReads
	// annotatorWrites: the command writes as the annotator (the screen,
	// import, pretag, entities changes, merge): besides, never gold.
	annotatorWrites
)

// errUsage marks an error in the command line (exit 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// command is one subcommand. Its help (`annotate COMMAND -h`, help.go)
// prints the summary, the usage lines, about, every flag of its flag set
// and where it is documented.
type command struct {
	name    string
	summary string
	// usage is how it is called, a line per form.
	usage []string
	// about, when set, says more before the flags (import's rules).
	about string
	// topic is the documentation topic (help.go) that explains it, beside
	// its entry in docs/commands.md.
	topic string
	run   func(e *env, args []string) error
	uses  annotatorUse
}

func commands() []command {
	return []command{
		{name: "import", summary: "import articles (text, JSONL, CSV) or other tools' annotated data", usage: []string{importUsage}, about: importAbout, topic: "import", run: runImport, uses: annotatorWrites},
		{name: "merge", summary: "copy other databases' articles, annotations, history and registry in", usage: []string{mergeUsage}, topic: "team", run: runMerge, uses: annotatorWrites},
		{name: "list", summary: "list articles with their status", usage: []string{"annotate list [--json] [--status S]"}, topic: "commands", run: runList, uses: annotatorReads},
		{name: "export", summary: "export annotations for training or another tool", usage: []string{"annotate export --format F [--annotator NAME | --annotator '*' | --gold] [--status S] [--since DATE] [--all] [--tokens] [--relations] [--columns acled|gtd|ucdp] [-o FILE]"}, about: exportAbout(), topic: "formats", run: runExport, uses: annotatorReads},
		{name: "stats", summary: "counts per status, label and annotator; review and adjudication progress", usage: []string{"annotate stats [--json] [--per-article]"}, topic: "commands", run: runStats, uses: annotatorUnused},
		{name: "agree", summary: "agreement between annotators, or against gold", usage: []string{agreeUsage}, topic: "review", run: runAgree, uses: annotatorUnused},
		{name: "backup", summary: "a consistent, checked copy of the database, also while it is in use", usage: []string{"annotate backup [--force] FILE"}, topic: "database", run: runBackup, uses: annotatorUnused},
		{name: "copy", summary: "copy a whole database between bbolt files and PostgreSQL", usage: []string{copyUsage}, topic: "team", run: runCopy, uses: annotatorUnused},
		{name: "check", summary: "verify the database and every annotation", usage: []string{"annotate check"}, topic: "database", run: runCheck, uses: annotatorUnused},
		{name: "schema", summary: "print the schema in use (JSON), to start your own from", usage: []string{"annotate schema"}, topic: "schema", run: runSchema, uses: annotatorUnused},
		{name: "history", summary: "the change history, or the registry's", usage: []string{"annotate history [--everyone] [ARTICLE-ID]", "annotate history --registry"}, topic: "commands", run: runHistory, uses: annotatorReads},
		{name: "entities", summary: "list or change the entity registry", usage: entitiesUsageLines, topic: "registry", run: runEntities, uses: annotatorReads},
		{name: "annotators", summary: "list, rename and remove annotators", usage: annotatorsUsageLines, topic: "team", run: runAnnotators, uses: annotatorUnused},
		{name: "review", summary: "adjudicate annotators' versions into gold, or review one annotator's work, by keyboard", usage: []string{"annotate review [--annotators a,b] [--patterns FILE] [--suggest-url URL [--suggest-timeout D]]"}, topic: "review", run: runReview, uses: annotatorWrites},
		{name: "serve", summary: "serve the screen to a team over SSH, annotators known by their keys", usage: []string{serveUsage}, topic: "team", run: runServe, uses: annotatorUnused},
		{name: "suggest", summary: "an article's suggestions: registry names, patterns, a model", usage: []string{"annotate suggest ARTICLE-ID [--patterns FILE] [--suggest-url URL [--suggest-timeout D]] [--json]"}, topic: "registry", run: runSuggest, uses: annotatorReads},
		{name: "pretag", summary: "write suggestions as an annotator's annotations", usage: []string{"annotate pretag --annotator NAME [--patterns FILE] [--suggest-url URL [--suggest-timeout D]] --all|ARTICLE-ID..."}, topic: "registry", run: runPretag, uses: annotatorWrites},
		{name: "keys", summary: "print the screen's key bindings in force, as the keys file writes them", usage: []string{"annotate keys"}, topic: "screen", run: runKeys, uses: annotatorUnused},
		{name: "demo", summary: "try annotate on the built-in sample articles", usage: []string{"annotate demo [--list]"}, topic: "commands", run: runDemo, uses: annotatorWrites},
		{name: "version", summary: "print the version", usage: []string{"annotate version"}, topic: "commands", run: runVersion, uses: annotatorUnused},
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
	var run func(*env, []string) error
	switch name {
	case "":
		run, e.uses = runScreen, annotatorWrites
	case "help":
		run = runHelp
	default:
		for _, c := range commands() {
			if c.name == name {
				run, e.uses = c.run, c.uses
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

// newFlags returns a flag set with the flags every command shares.
// The flag package prints nothing itself: -h prints the command's help
// on standard output (help.go), and a mistake is one line (parseFlags).
func (e *env) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(strings.TrimSpace("annotate "+name), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	e.flags = fs
	fs.StringVar(&e.dbPath, "db", "", "the database: a file `PATH` or a postgres:// URL (default $ANNOTATE_DB, else $XDG_DATA_HOME/annotate/annotate.db, else ~/.local/share/annotate/annotate.db)")
	fs.StringVar(&e.annotator, "annotator", "", "the annotator (`NAME`) whose annotations to read and write (default $ANNOTATE_ANNOTATOR, else your user name)")
	fs.StringVar(&e.schemaPath, "schema", "", "a schema `FILE` (JSON) to check and store with the database (default: the stored one, else the built-in one)")
	return fs
}

// parse parses flags anywhere among the arguments ("import a.txt --skip-invalid"
// works as well as "import --skip-invalid a.txt") and returns the rest.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	rest, err := e.parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	e.resolve()
	if err := model.CheckName("annotator name", e.annotator); err != nil {
		return nil, errUsage{err.Error()}
	}
	return rest, nil
}

// parseFlags parses the flags only. -h prints the command's help on
// standard output and returns flag.ErrHelp (exit 0); a mistake is one
// line saying how to see the flags.
func (e *env) parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				if err := e.commandHelp(e.stdout, fs); err != nil {
					return nil, err
				}
				return nil, flag.ErrHelp
			}
			return nil, errUsage{fmt.Sprintf("%v: `%s -h` lists the flags", err, fs.Name())}
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
// Verifying a 100,000-article file of 381 MB takes 0.37 s (docs/database.md).
// PostgreSQL keeps its own pages whole.
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
	if err := e.checkAnnotator(db); err != nil {
		db.Close()
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

// errGoldWritten is the refusal of gold as the annotator of a command
// that writes.
var errGoldWritten = errUsage{`"` + model.GoldAnnotator + "\" holds the adjudicated annotations and is written only by `annotate review`: pass --annotator YOUR-NAME"}

// checkAnnotator holds the annotator --annotator names to the rules of
// names (model): for a command that reads or writes an annotator's work,
// a name that looks like an existing annotator's but is not it (case,
// white space, invisible characters) is refused naming the one meant,
// and a new name must be a good one (model.CheckAnnotatorName); a command
// that writes may not write as gold. It keeps the database's annotators
// in e.annotators.
func (e *env) checkAnnotator(db store.Store) error {
	if e.uses == annotatorUnused {
		return nil
	}
	if e.uses == annotatorWrites && e.annotator == model.GoldAnnotator {
		return errGoldWritten
	}
	if r, ok := db.(store.Roster); ok {
		all, err := r.Annotators()
		if err != nil {
			return err
		}
		e.annotators = store.Names(all)
	}
	if e.annotator == "*" && e.uses == annotatorReads {
		return nil // export's every annotator
	}
	var sim *model.SimilarNameError
	if errors.As(model.SimilarAnnotator(e.annotator, e.annotators), &sim) {
		return errUsage{fmt.Sprintf("%s: did you mean %s?", sim.Error(), sim.Existing)}
	}
	// A name stored before this rule is still that annotator's.
	if !slices.Contains(e.annotators, e.annotator) {
		if err := model.CheckAnnotatorName(e.annotator); err != nil {
			return errUsage{err.Error()}
		}
	}
	return nil
}

// checkRecordAnnotator holds a name from elsewhere (an imported record's
// annotator, Prodigy's _annotator_id, a doccano file's name, an annotator
// of a database merged in) to the rules checkAnnotator applies to
// --annotator, against the database's annotators and the names this
// command took so far.
func (e *env) checkRecordAnnotator(name string) error {
	if slices.Contains(e.annotators, name) {
		return nil
	}
	var sim *model.SimilarNameError
	if errors.As(model.SimilarAnnotator(name, e.annotators), &sim) {
		return fmt.Errorf("%w: did you mean %s?", sim, sim.Existing)
	}
	if err := model.CheckAnnotatorName(name); err != nil {
		return err
	}
	e.annotators = append(e.annotators, name)
	return nil
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
	// The common flags are taken (`annotate --db x version`) and unused.
	rest, err := e.parseFlags(e.newFlags("version"), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errUsage{fmt.Sprintf("version takes no arguments, got %q", rest[0])}
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
