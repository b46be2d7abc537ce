package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/encoding"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Import batching: records are stored in transactions of up to batchArticles
// articles or batchBytes bytes of text, so memory stays flat and the file is
// held only briefly by each transaction.
const (
	batchArticles = 2000
	batchBytes    = 32 << 20
	// A file up to collectLimit bytes is parsed once into memory and
	// checked whole before anything is stored; a larger one is read twice
	// (check, then store) so memory stays flat.
	collectLimit = 64 << 20
)

type importOptions struct {
	format      string
	textColumn  string
	titleColumn string
	skipInvalid bool
	encoding    string
	decoder     *encoding.Decoder
}

// importStats counts what an import did.
type importStats struct {
	added, present, failed, skipped, files int
	textBytes                              int64
}

func runImport(e *env, args []string) error {
	fs := e.newFlags("import")
	var o importOptions
	fs.StringVar(&o.format, "format", "", "text, jsonl or csv (default: by file extension)")
	fs.StringVar(&o.textColumn, "text-column", "text", "CSV column holding the article text")
	fs.StringVar(&o.titleColumn, "title-column", "", "CSV column holding the title")
	fs.BoolVar(&o.skipInvalid, "skip-invalid", false, "import the good records of a file with bad ones, listing those skipped")
	fs.StringVar(&o.encoding, "encoding", "", "the files' encoding when not UTF-8: windows-1252, iso-8859-1, utf-16")
	paths, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	switch o.format {
	case "", "text", "jsonl", "csv":
	default:
		return errUsage{fmt.Sprintf("unknown --format %q: use text, jsonl or csv", o.format)}
	}
	if len(paths) == 0 {
		return errUsage{"name the files or folders to import: annotate import PATH..."}
	}
	if o.decoder, err = formats.Decoder(o.encoding); err != nil {
		return errUsage{err.Error()}
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	imp := &importer{env: e, store: db, opts: o, started: time.Now()}
	for _, p := range paths {
		imp.path(p)
	}
	imp.progressDone()
	st := imp.stats
	fmt.Fprintf(e.stdout, "%d added, %d already present, %d failed", st.added, st.present, st.failed)
	if st.skipped > 0 {
		fmt.Fprintf(e.stdout, ", %d skipped", st.skipped)
	}
	fmt.Fprintf(e.stdout, " (%d files)\n", st.files)
	if st.failed > 0 || imp.fatal != nil {
		if imp.fatal != nil {
			return imp.fatal
		}
		return errSilent{}
	}
	return nil
}

type importer struct {
	env     *env
	store   store.Store
	opts    importOptions
	stats   importStats
	batch   []model.Article
	bytes   int
	started time.Time
	shown   time.Time
	// fatal is a store error: it stops the run.
	fatal error
}

func (im *importer) errorf(format string, args ...any) {
	fmt.Fprintf(im.env.stderr, "annotate: import "+format+"\n", args...)
}

// path imports a file, or every importable file below a folder.
func (im *importer) path(p string) {
	if im.fatal != nil {
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		im.stats.failed++
		if errors.Is(err, fs.ErrNotExist) {
			im.errorf("%s: no such file or folder", p)
		} else {
			im.errorf("%s: %v", p, err)
		}
		return
	}
	if !fi.IsDir() {
		im.file(p, true)
		return
	}
	var files []string
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			im.stats.failed++
			im.errorf("%s: %v", q, err)
			return nil
		}
		if d.IsDir() && q != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") && im.formatOf(q) != "" {
			files = append(files, q)
		}
		return nil
	})
	if err != nil {
		im.stats.failed++
		im.errorf("%s: %v", p, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		im.stats.failed++
		im.errorf("%s: no .txt, .md, .jsonl or .csv files in this folder", p)
	}
	for _, f := range files {
		im.file(f, false)
	}
}

// formatOf picks a file's format from --format or its extension; "" means
// not importable.
func (im *importer) formatOf(p string) string {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".txt", ".md", ".text", ".markdown":
		if im.opts.format == "" || im.opts.format == "text" {
			return "text"
		}
	case ".jsonl", ".ndjson":
		if im.opts.format == "" || im.opts.format == "jsonl" {
			return "jsonl"
		}
	case ".csv":
		if im.opts.format == "" || im.opts.format == "csv" {
			return "csv"
		}
	}
	return ""
}

// file imports one file. A file named directly is imported whatever its
// extension when --format says how to read it.
func (im *importer) file(p string, named bool) {
	if im.fatal != nil {
		return
	}
	format := im.formatOf(p)
	if format == "" && named {
		format = im.opts.format
	}
	if format == "" {
		im.stats.failed++
		im.errorf("%s: unknown file type %q: pass --format text, jsonl or csv", p, filepath.Ext(p))
		return
	}
	im.stats.files++
	if format == "text" {
		data, err := os.ReadFile(p)
		if err == nil && im.opts.decoder != nil {
			data, err = im.opts.decoder.Bytes(data)
		}
		if err != nil {
			im.stats.failed++
			im.errorf("%s: %v", p, err)
			return
		}
		rec, err := formats.ReadText(p, data)
		if err != nil {
			im.stats.failed++
			im.errorf("%v", err)
			return
		}
		im.add(rec.Article)
		im.flushIf(false)
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		im.stats.failed++
		im.errorf("%s: %v", p, err)
		return
	}
	if fi.Size() == 0 {
		im.stats.failed++
		im.errorf("%s: empty: there are no articles in it", p)
		return
	}
	if fi.Size() <= collectLimit {
		// Parse once, keep the records, store them only if the file is good.
		var recs []model.Article
		bad, err := im.scan(p, format, func(r formats.Record) error {
			recs = append(recs, r.Article)
			return nil
		})
		if !im.judge(p, bad, err) {
			return
		}
		for _, a := range recs {
			im.add(a)
			im.flushIf(false)
		}
		return
	}
	// A large file: check it whole first, then read it again to store it.
	bad, err := im.scan(p, format, func(formats.Record) error { return nil })
	if !im.judge(p, bad, err) {
		return
	}
	_, err = im.scan(p, format, func(r formats.Record) error {
		im.add(r.Article)
		im.flushIf(false)
		if im.fatal != nil {
			return im.fatal
		}
		return nil
	})
	if err != nil && im.fatal == nil {
		im.stats.failed++
		im.errorf("%v", err)
	}
}

// judge reports a file's bad records and says whether to store its good ones.
func (im *importer) judge(p string, bad []formats.RecordError, err error) bool {
	if err != nil {
		im.stats.failed++
		im.errorf("%v", err)
		return false
	}
	if len(bad) == 0 {
		return true
	}
	if !im.opts.skipInvalid {
		im.stats.failed++
		im.errorf("%s: refused, %d bad %s (nothing from this file was imported; fix them or pass --skip-invalid):", p, len(bad), plural(len(bad), "record", "records"))
		for _, b := range bad {
			fmt.Fprintf(im.env.stderr, "  %v\n", b)
		}
		return false
	}
	im.stats.skipped += len(bad)
	for _, b := range bad {
		fmt.Fprintf(im.env.stderr, "annotate: import skipped %v\n", b)
	}
	return true
}

func (im *importer) scan(p, format string, fn func(formats.Record) error) ([]formats.RecordError, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	defer f.Close()
	r := formats.DecodeReader(f, im.opts.decoder)
	if format == "csv" {
		return formats.ReadCSV(p, r, formats.CSVOptions{TextColumn: im.opts.textColumn, TitleColumn: im.opts.titleColumn}, fn)
	}
	return formats.ReadJSONL(p, r, fn)
}

func (im *importer) add(a model.Article) {
	a.ID = model.ArticleID(a.Text)
	a.ImportedAt = time.Now().UTC()
	a.ImportedBy = im.env.annotator
	im.batch = append(im.batch, a)
	im.bytes += len(a.Text)
	im.stats.textBytes += int64(len(a.Text))
}

// flushIf stores the batch when it is full (or always, when force).
func (im *importer) flushIf(force bool) {
	if im.fatal != nil || len(im.batch) == 0 {
		return
	}
	if !force && len(im.batch) < batchArticles && im.bytes < batchBytes {
		return
	}
	added, err := im.store.AddArticles(im.batch)
	if err != nil {
		im.fatal = err
		return
	}
	for _, ok := range added {
		if ok {
			im.stats.added++
		} else {
			im.stats.present++
		}
	}
	im.batch, im.bytes = im.batch[:0], 0
	im.progress()
}

// progress shows a line on stderr once a run has taken more than a second.
func (im *importer) progress() {
	now := time.Now()
	if now.Sub(im.started) < time.Second || now.Sub(im.shown) < 250*time.Millisecond {
		return
	}
	im.shown = now
	fmt.Fprintf(im.env.stderr, "\rimporting: %d files, %d articles, %.1f MB ", im.stats.files, im.stats.added+im.stats.present, float64(im.stats.textBytes)/1e6)
}

func (im *importer) progressDone() {
	im.flushIf(true)
	if !im.shown.IsZero() {
		fmt.Fprintln(im.env.stderr)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
