package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
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
	// Annotated formats.
	labelMap  map[string]string
	addLabels bool
	offsets   formats.Unit
	// annotatorSet: --annotator was given, so it names the annotator of
	// files that do not name one inside (it wins over a file's name).
	annotatorSet bool
	// replace and merge say what to do with a record for an article the
	// annotator already has a different annotation of (from an earlier
	// file or run): replace it, or add the record's spans to it. Without
	// either the record is refused and named; a native record (another
	// machine's export) is kept beside the stored annotation instead,
	// under ANNOTATOR@FILE, as merge keeps a conflict.
	replace, merge bool
	// prefer is --prefer: ours leaves such a record out, theirs is
	// --replace.
	prefer store.Prefer
}

// annotatedFormats are the formats that bring annotations, not only text.
var annotatedFormats = []string{"native", "spacy", "doccano", "labelstudio", "brat"}

// importStats counts what an import did.
type importStats struct {
	added, present, failed, skipped, files int
	textBytes                              int64
	// blank counts records whose text is only white space (skipped).
	blank int
	// notStored counts records read but not stored: a write failed.
	notStored int
	// Annotated formats.
	saved, unchanged, rejected int
	// trimmed counts spans, cues and contents trimmed of white space.
	trimmed int
	// refused counts records for articles the annotator already has a
	// different annotation of (neither --replace nor --merge).
	refused int
	// keptBoth counts native records kept beside the annotator's own as
	// ANNOTATOR@FILE (keptAs the names); keptOurs those left out for
	// --prefer ours.
	keptBoth, keptOurs int
	keptAs             []string
	// brat with --skip-invalid: bad lines skipped, the files they were
	// in, and files left out whole (their annotation failed the checks).
	badLines, badLineFiles, leftOut int
}

func runImport(e *env, args []string) error {
	fs := e.newFlags("import")
	var o importOptions
	fs.StringVar(&o.format, "format", "", "the format `F`: text, jsonl or csv (default: by file extension); annotated data: native, spacy, doccano, labelstudio or brat")
	fs.StringVar(&o.textColumn, "text-column", "text", "the CSV column (`C`) holding the article text")
	fs.StringVar(&o.titleColumn, "title-column", "", "the CSV column (`C`) holding the title")
	fs.BoolVar(&o.skipInvalid, "skip-invalid", false, "import the good records of a file with bad ones, listing those skipped")
	fs.StringVar(&o.encoding, "encoding", "", "the files' encoding `E` when not UTF-8: windows-1252, iso-8859-1, utf-16")
	labelMap := fs.String("label-map", "", "annotated data: rename labels, from a `FILE` of FROM=TO lines or a JSON object")
	fs.BoolVar(&o.addLabels, "add-labels", false, "annotated data: add labels the schema lacks instead of refusing the file")
	offsets := fs.String("offsets", "", "annotated data: the unit `U` of the file's offsets, codepoints, utf16 or graphemes (default: the tool's own)")
	fs.BoolVar(&o.replace, "replace", false, "annotated data: replace an annotation the annotator already has of a text (from another file) with the file's")
	fs.BoolVar(&o.merge, "merge", false, "annotated data: add the file's spans to an annotation the annotator already has of a text (from another file)")
	prefer := fs.String("prefer", "", "annotated data, for a text the annotator already annotated differently: `ours|theirs`; ours keeps it (the record is left out), theirs puts the record's in its place (as --replace)")
	paths, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case o.format == "", o.format == "text", o.format == "jsonl", o.format == "csv":
		for _, name := range []string{"label-map", "add-labels", "offsets", "replace", "merge", "prefer"} {
			if flagSet(fs, name) {
				return errUsage{fmt.Sprintf("--%s applies to annotated data: pass --format %s", name, strings.Join(annotatedFormats, ", "))}
			}
		}
	case slices.Contains(annotatedFormats, o.format):
	default:
		return errUsage{fmt.Sprintf("unknown --format %q: use text, jsonl or csv, or for annotated data %s", o.format, strings.Join(annotatedFormats, ", "))}
	}
	if o.replace && o.merge {
		return errUsage{"--replace and --merge contradict each other: pass one"}
	}
	var ok bool
	if o.prefer, ok = store.ParsePrefer(*prefer); !ok || (flagSet(fs, "prefer") && o.prefer == store.PreferBoth) {
		return errUsage{fmt.Sprintf("unknown --prefer %q: use ours or theirs", *prefer)}
	}
	if o.prefer != store.PreferBoth && (o.replace || o.merge) {
		return errUsage{"--prefer and --replace or --merge contradict each other: pass one (--prefer theirs is --replace)"}
	}
	if o.prefer == store.PreferTheirs {
		o.replace = true
	}
	if o.offsets, err = formats.ParseUnit(*offsets); err != nil {
		return errUsage{err.Error()}
	}
	o.annotatorSet = flagSet(fs, "annotator")
	if *labelMap != "" {
		data, err := readRegular(*labelMap)
		if err != nil {
			return errUsage{fmt.Sprintf("--label-map: %v", err)}
		}
		if o.labelMap, err = formats.ParseLabelMap(*labelMap, data); err != nil {
			return errUsage{err.Error()}
		}
	}
	if len(paths) == 0 {
		return errUsage{"name the files or folders to import: annotate import PATH..."}
	}
	if o.decoder, err = formats.Decoder(o.encoding); err != nil {
		return errUsage{err.Error()}
	}
	db, schema, err := e.openToWrite()
	if err != nil {
		return err
	}
	defer db.Close()
	imp := &importer{env: e, store: db, schema: schema, opts: o, started: time.Now()}
	for _, p := range paths {
		imp.path(p)
	}
	imp.progressDone()
	st := imp.stats
	fmt.Fprintf(e.stdout, "%d added, %d already present, %d failed", st.added, st.present, st.failed)
	if st.skipped > 0 {
		fmt.Fprintf(e.stdout, ", %d skipped", st.skipped)
	}
	fmt.Fprintf(e.stdout, " (%d files)", st.files)
	if st.notStored > 0 {
		fmt.Fprintf(e.stdout, ", %d %s not stored: the database could not be written", st.notStored, plural(st.notStored, "record", "records"))
	}
	if st.blank > 0 {
		fmt.Fprintf(e.stdout, ", %d blank %s skipped", st.blank, plural(st.blank, "record", "records"))
	}
	if st.badLines > 0 || st.leftOut > 0 {
		fmt.Fprintf(e.stdout, ", %d bad %s skipped in %d %s; %d %s left out", st.badLines, plural(st.badLines, "line", "lines"),
			st.badLineFiles, plural(st.badLineFiles, "file", "files"), st.leftOut, plural(st.leftOut, "file", "files"))
	}
	if slices.Contains(annotatedFormats, o.format) {
		fmt.Fprintf(e.stdout, "; %d %s saved, %d unchanged", st.saved, plural(st.saved, "annotation", "annotations"), st.unchanged)
		if st.keptBoth > 0 {
			fmt.Fprintf(e.stdout, ", %d %s kept as %s", st.keptBoth, plural(st.keptBoth, "conflict", "conflicts"), termtext.Line(strings.Join(st.keptAs, ", ")))
		}
		if st.keptOurs > 0 {
			fmt.Fprintf(e.stdout, ", %d %s: ours kept", st.keptOurs, plural(st.keptOurs, "conflict", "conflicts"))
		}
		if st.refused > 0 {
			fmt.Fprintf(e.stdout, ", %d refused (already annotated differently: --replace or --merge)", st.refused)
		}
		if st.rejected > 0 {
			fmt.Fprintf(e.stdout, ", %d rejected or ignored in Prodigy (text only)", st.rejected)
		}
		if st.trimmed > 0 {
			fmt.Fprintf(e.stdout, ", %d %s trimmed of white space", st.trimmed, plural(st.trimmed, "span", "spans"))
		}
	}
	fmt.Fprintln(e.stdout)
	if st.failed > 0 || st.refused > 0 || imp.fatal != nil {
		if imp.fatal != nil {
			return imp.fatal
		}
		return errSilent{}
	}
	return nil
}

// importUsage is how import is called; importAbout, in `annotate import
// -h`, says what an import does with what it meets.
const importUsage = "annotate import [--format F] [--skip-invalid] [--encoding E] [--text-column C] [--title-column C] [--label-map FILE] [--add-labels] [--offsets U] [--replace|--merge|--prefer ours|theirs] PATH..."

const importAbout = `Imports files or folders (recursively): articles (text, jsonl, csv) or other
tools' annotated data (native, spacy, doccano, labelstudio, brat).

- A record whose text is only white space is skipped and counted ("2 blank
  records skipped"); it is not an error in the file.
- A file with a bad record is refused whole, naming each by file:line,
  unless --skip-invalid imports the good ones. brat: a bad line is skipped
  with the lines that refer to it; the document and its good lines stay.
- A span, cue or content with white space at an edge is trimmed and
  reported ("3 spans trimmed of white space"); one of white space only is
  a bad span.
- A record for a text its annotator already annotated differently (from
  another file, another run, the screen) is refused and named; the stored
  annotation stays. --replace (or --prefer theirs) puts the file's in its
  place; --merge adds the file's spans to it; --prefer ours leaves the
  record out. A native record (another machine's export) is not refused
  but kept beside the stored one as ANNOTATOR@FILE. An identical annotation
  is "unchanged".
- spacy: a Prodigy review record (one with "versions") imports its result
  as gold and each version as the annotation of each of its sessions.
`

type importer struct {
	env     *env
	store   store.Store
	schema  *model.Schema
	opts    importOptions
	stats   importStats
	batch   []model.Article
	bytes   int
	started time.Time
	shown   time.Time
	// pending are the annotations of the batch's articles, saved once
	// their articles are stored.
	pending []pendingAnnotation
	// saved maps the article and annotator of each annotation the
	// current file has saved to the annotator it was saved as (the same,
	// or ANNOTATOR@FILE), so a second record of the same pair adds its
	// spans to the first instead of replacing it.
	saved map[string]string
	// conflicts are the current file's records refused because the
	// annotator already has a different annotation of the article.
	conflicts []conflict
	// fatal is a store error: it stops the run.
	fatal error
	// registry is this database's entity registry, read once, to check
	// the registry links imported annotations carry.
	registry map[string]model.RegistryEntry
	// inflight reports the end of the batch being stored (nil when none).
	inflight chan error
	// current holds, while a batch's annotations are saved, each one the
	// batch touches as the batch leaves it (see savePending); changes
	// are the batch's saves, stored together.
	current map[string]model.Annotation
	changes []store.Change
}

// conflict is a record refused because its annotator already has another,
// different annotation of its article.
type conflict struct {
	where, article, title, annotator, why string
	// keptAs is the name a native record was kept under beside the
	// annotator's own; ours says it was left out (--prefer ours).
	keptAs string
	ours   bool
}

// blankRecord skips a record whose text is only white space, naming it.
func (im *importer) blankRecord(where string) {
	im.stats.blank++
	fmt.Fprintf(im.env.stderr, "annotate: import %s: blank record skipped (its text is only white space)\n", where)
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
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		// Reading a FIFO or a device would wait forever.
		im.stats.failed++
		im.errorf("%s: %v", p, errNotRegular(fi))
		return
	}
	if !fi.IsDir() {
		im.file(p, "", true)
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
		if strings.HasPrefix(d.Name(), ".") || d.IsDir() || im.formatOf(q) == "" {
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, q)
			return nil
		}
		// A FIFO, a device or a socket named like an article file is
		// never opened (it could block for ever), but it is named, not
		// passed over in silence. (A symbolic link is not followed.)
		im.stats.skipped++
		kind := "a symbolic link"
		if d.Type()&fs.ModeSymlink == 0 {
			kind = store.FileKind(d.Type())
		}
		im.errorf("%s: skipped: %s, not a regular file", q, kind)
		return nil
	})
	if err != nil {
		im.stats.failed++
		im.errorf("%s: %v", p, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		im.stats.failed++
		switch {
		case im.opts.format == "brat":
			im.errorf("%s: no .ann files in this folder", p)
		case slices.Contains(annotatedFormats, im.opts.format):
			im.errorf("%s: no .jsonl or .json files in this folder", p)
		default:
			im.errorf("%s: no .txt, .md, .jsonl or .csv files in this folder", p)
		}
	}
	for _, f := range files {
		im.file(f, p, false)
	}
}

// formatOf picks a file's format from --format or its extension; "" means
// not importable.
func (im *importer) formatOf(p string) string {
	ext := strings.ToLower(filepath.Ext(p))
	switch im.opts.format {
	case "brat":
		if ext == ".ann" {
			return "brat"
		}
		return ""
	case "native", "spacy", "doccano", "labelstudio":
		if ext == ".jsonl" || ext == ".json" || ext == ".ndjson" {
			return im.opts.format
		}
		return ""
	}
	switch ext {
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

// file imports one file; root is the folder it was found in ("" when
// named). A file named directly is imported whatever its extension when
// --format says how to read it.
func (im *importer) file(p, root string, named bool) {
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
	if slices.Contains(annotatedFormats, format) {
		im.annotatedFile(p, root, format)
		return
	}
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
		var recs []formats.Record
		bad, err := im.scan(p, format, func(r formats.Record) error {
			recs = append(recs, r)
			return nil
		})
		if !im.judge(p, bad, err, "record") {
			return
		}
		for _, r := range recs {
			if r.Blank {
				im.blankRecord(r.Where)
				continue
			}
			im.add(r.Article)
			im.flushIf(false)
		}
		return
	}
	// A large file: check it whole first, then read it again to store it.
	bad, err := im.scan(p, format, func(formats.Record) error { return nil })
	if !im.judge(p, bad, err, "record") {
		return
	}
	_, err = im.scan(p, format, func(r formats.Record) error {
		if r.Blank {
			im.blankRecord(r.Where)
			return nil
		}
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

// judge reports a file's bad records (or lines, for brat: noun) and says
// whether to store its good ones.
func (im *importer) judge(p string, bad []formats.RecordError, err error, noun string) bool {
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
		im.errorf("%s: refused, %d bad %s (nothing from this file was imported; fix them or pass --skip-invalid):", p, len(bad), plural(len(bad), noun, noun+"s"))
		for _, b := range bad {
			fmt.Fprintf(im.env.stderr, "  %v\n", b)
		}
		return false
	}
	if noun == "record" {
		im.stats.skipped += len(bad)
	}
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

// flushIf stores the batch when it is full (or always, when force). The
// batch is stored on another goroutine while the next one is read, one
// batch at a time; force waits for it. Whatever the store side of the
// importer holds (the counts of what was stored, conflicts, fatal) is
// read only after wait.
func (im *importer) flushIf(force bool) {
	if im.fatal != nil {
		im.wait()
		return
	}
	if len(im.batch) == 0 && len(im.pending) == 0 {
		if force {
			im.wait()
		}
		return
	}
	if !force && len(im.batch) < batchArticles && im.bytes < batchBytes {
		return
	}
	im.wait()
	if im.fatal != nil {
		return
	}
	batch, pending := im.batch, im.pending
	im.batch, im.pending, im.bytes = nil, nil, 0
	done := make(chan error, 1)
	im.inflight = done
	go func() { done <- im.storeBatch(batch, pending) }()
	if force {
		im.wait()
	}
}

// wait waits for the batch being stored, if any.
func (im *importer) wait() {
	if im.inflight == nil {
		return
	}
	err := <-im.inflight
	im.inflight = nil
	if err != nil && im.fatal == nil {
		im.fatal = err
	}
	im.progress()
}

// storeBatch stores a batch's articles, then its annotations.
func (im *importer) storeBatch(batch []model.Article, pending []pendingAnnotation) error {
	if len(batch) > 0 {
		added, err := im.store.AddArticles(batch)
		if err != nil {
			// The batch is not stored: the summary says so (not "0
			// failed" beside exit 1).
			im.stats.notStored += len(batch) + len(pending)
			return err
		}
		for _, ok := range added {
			if ok {
				im.stats.added++
			} else {
				im.stats.present++
			}
		}
	}
	return im.savePending(pending)
}

// savePending saves the annotations of the batch just stored. With a
// store.Batcher (the bbolt store), the batch's stored annotations are read
// in one transaction and its changes saved in one more, all or nothing;
// otherwise each is read and saved on its own.
func (im *importer) savePending(pending []pendingAnnotation) error {
	if len(pending) == 0 {
		return nil
	}
	batcher, ok := im.store.(store.Batcher)
	if !ok {
		for _, p := range pending {
			if err := im.save(p); err != nil {
				return err
			}
		}
		return nil
	}
	keys := make([]store.AnnotationKey, 0, len(pending))
	seen := map[string]bool{}
	for _, p := range pending {
		annotator := p.ann.Annotator
		if as, ok := im.saved[p.ann.ArticleID+"\x00"+annotator]; ok {
			annotator = as
		}
		key := p.ann.ArticleID + "\x00" + annotator
		if !seen[key] {
			seen[key] = true
			keys = append(keys, store.AnnotationKey{ArticleID: p.ann.ArticleID, Annotator: annotator})
		}
	}
	stored, err := batcher.Annotations(keys)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	im.current = make(map[string]model.Annotation, len(keys))
	for _, a := range stored {
		im.current[a.ArticleID+"\x00"+a.Annotator] = a
	}
	defer func() { im.current, im.changes = nil, im.changes[:0] }()
	for _, p := range pending {
		if err := im.save(p); err != nil {
			return err
		}
	}
	if _, err := batcher.SaveMany(im.changes); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// annotation is the annotator's annotation of the article as the batch
// being saved leaves it: read with the batch, or from the store.
func (im *importer) annotation(articleID, annotator string) (model.Annotation, error) {
	if a, ok := im.current[articleID+"\x00"+annotator]; ok {
		return a, nil
	}
	return im.store.Annotation(articleID, annotator)
}

// commit saves a: into the batch's changes (saved together at its end)
// when batching, else at once.
func (im *importer) commit(a model.Annotation, action string) error {
	if im.current == nil {
		_, err := im.store.Save(a, action)
		return err
	}
	im.changes = append(im.changes, store.Change{Annotation: a, Action: action})
	// What the store will hold: the next revision, todo by default.
	next := a.Clone()
	next.Rev++
	if next.Status == "" {
		next.Status = model.StatusTodo
	}
	im.current[a.ArticleID+"\x00"+a.Annotator] = next
	return nil
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

// pendingAnnotation is an annotation waiting for its article to be stored.
type pendingAnnotation struct {
	ann   model.Annotation
	where string // file:line, for errors
	file  string // the file's name, for the history
	title string // the article's, to name it
	text  string // the article's, to give merged mentions their entities
}

// annotatedFile imports one file of annotated data. Every record is checked
// first (offsets against the text, labels against the schema, the whole
// annotation with model.Validate); a file with a bad record is refused whole
// unless --skip-invalid, and nothing from it is stored.
func (im *importer) annotatedFile(p, root, format string) {
	fi, err := os.Stat(p)
	if err != nil {
		im.stats.failed++
		im.errorf("%s: %v", p, err)
		return
	}
	// The store side's state (saved, conflicts) is this file's from here.
	im.wait()
	im.saved = map[string]string{}
	defaultAnnotator := im.fileAnnotator(p, root, format)
	check := newRecordCheck(im, defaultAnnotator)
	var recs []formats.Annotated
	collect := fi.Size() <= collectLimit
	read, err := im.scanAnnotated(p, format, func(rec formats.Annotated) error {
		if check.record(&rec) && collect {
			recs = append(recs, rec)
		}
		return nil
	})
	bad := append(read, check.bad...)
	sortByLine(bad)
	if err != nil {
		im.stats.failed++
		im.errorf("%v", err)
		return
	}
	// A brat file is one document: a bad line is skipped on its own
	// (with the lines that depend on it), the document kept.
	noun := "record"
	if format == "brat" {
		noun = "line"
	}
	if !im.judgeLabels(p, check.unknown) || !im.judge(p, bad, nil, noun) {
		return
	}
	if format == "brat" && len(bad) > 0 {
		im.stats.badLines += len(read)
		if len(read) > 0 {
			im.stats.badLineFiles++
		}
		if len(check.bad) > 0 {
			im.stats.leftOut++
		}
	}
	im.conflicts = im.conflicts[:0]
	stored := map[string]bool{}
	store := func(rec formats.Annotated) {
		if rec.Blank {
			im.blankRecord(rec.Where)
			return
		}
		im.stats.trimmed += len(rec.Trimmed)
		for _, t := range rec.Trimmed {
			fmt.Fprintf(im.env.stderr, "annotate: import %s: %s\n", rec.Where, t)
		}
		if rec.Rejected {
			im.stats.rejected++
		}
		id := model.ArticleID(rec.Article.Text)
		if !stored[id] {
			stored[id] = true
			im.add(rec.Article)
		}
		if rec.Annotation != nil {
			im.pending = append(im.pending, pendingAnnotation{ann: *rec.Annotation, where: rec.Where, file: filepath.Base(p), title: rec.Article.Title, text: rec.Article.Text})
		}
		im.flushIf(false)
	}
	if collect {
		for _, rec := range recs {
			store(rec)
		}
	} else {
		// A large file: read it again, storing the records that passed.
		again := newRecordCheck(im, defaultAnnotator)
		_, err = im.scanAnnotated(p, format, func(rec formats.Annotated) error {
			if again.record(&rec) {
				store(rec)
			}
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
	// Save this file's annotations before the next file's: a second
	// record of the same article and annotator merges only within a file.
	im.flushIf(true)
	im.reportConflicts(p)
}

// reportConflicts names the records of file p refused because their
// annotator already has a different annotation of the article.
func (im *importer) reportConflicts(p string) {
	var refused []conflict
	for _, c := range im.conflicts {
		switch {
		case c.keptAs != "":
			fmt.Fprintln(im.env.stderr, termtext.Line(fmt.Sprintf("annotate: import %s: article %s %q, annotator %s: already annotated differently here; both kept, the file's as %s", c.where, c.article, c.title, c.annotator, c.keptAs)))
		case c.ours:
			fmt.Fprintln(im.env.stderr, termtext.Line(fmt.Sprintf("annotate: import %s: article %s %q, annotator %s: already annotated differently here; ours kept (--prefer ours)", c.where, c.article, c.title, c.annotator)))
		default:
			refused = append(refused, c)
		}
	}
	im.conflicts = refused
	if len(im.conflicts) == 0 {
		return
	}
	n := len(im.conflicts)
	im.errorf("%s: refused %d %s for texts already annotated differently by the same annotator (the stored %s kept):", p, n,
		plural(n, "record", "records"), plural(n, "annotation is", "annotations are"))
	for _, c := range im.conflicts {
		line := fmt.Sprintf("  %s: article %s %q, annotator %s", c.where, c.article, c.title, c.annotator)
		if c.why != "" {
			line += ": " + c.why
		}
		fmt.Fprintln(im.env.stderr, termtext.Line(line))
	}
	fmt.Fprintln(im.env.stderr, "  pass --replace to replace them with this file's, or --merge to add this file's spans to them")
	im.conflicts = im.conflicts[:0]
}

// fileAnnotator is the annotator of records that do not name one: the
// --annotator given; else the file's name for doccano (which exports one
// file per user, named after the user, and all.jsonl), the folder's name below the
// imported folder for brat (annotate's export writes DIR/ANNOTATOR/); else
// the default annotator.
func (im *importer) fileAnnotator(p, root, format string) string {
	if im.opts.annotatorSet {
		return im.env.annotator
	}
	switch format {
	case "doccano":
		// all.jsonl is doccano's export of every user's work together.
		if stem := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)); stem != "" && stem != "all" {
			return stem
		}
	case "brat":
		if root != "" {
			if rel, err := filepath.Rel(root, filepath.Dir(p)); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
				return strings.Split(filepath.ToSlash(rel), "/")[0]
			}
		}
	}
	return im.env.annotator
}

// scanAnnotated reads one annotated file, calling fn for each record.
func (im *importer) scanAnnotated(p, format string, fn func(formats.Annotated) error) ([]formats.RecordError, error) {
	opts := formats.ImportOptions{Offsets: im.opts.offsets, LabelMap: im.opts.labelMap, Schema: im.schema}
	if format == "brat" {
		return im.scanBrat(p, opts, fn)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	defer f.Close()
	r := formats.DecodeReader(f, im.opts.decoder)
	switch format {
	case "native":
		return formats.ReadNative(p, r, opts, fn)
	case "spacy":
		return formats.ReadSpacy(p, r, opts, fn)
	case "doccano":
		return formats.ReadDoccano(p, r, opts, fn)
	}
	return formats.ReadLabelStudio(p, r, opts, fn)
}

// scanBrat reads a brat pair: p is the .ann file (or the .txt beside it).
func (im *importer) scanBrat(p string, opts formats.ImportOptions, fn func(formats.Annotated) error) ([]formats.RecordError, error) {
	base := strings.TrimSuffix(p, filepath.Ext(p))
	annPath, txtPath := base+".ann", base+".txt"
	data, err := readRegular(txtPath)
	if err == nil && im.opts.decoder != nil {
		data, err = im.opts.decoder.Bytes(data)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no %s beside it: brat keeps the text in a .txt of the same name", annPath, filepath.Base(txtPath))
		}
		return nil, fmt.Errorf("%s: %v", txtPath, err)
	}
	if err := formats.CheckText(data); errors.Is(err, formats.ErrBlank) {
		return nil, fn(formats.Annotated{Blank: true, Where: txtPath})
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", txtPath, err)
	}
	f, err := os.Open(annPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", annPath, err)
	}
	defer f.Close()
	rec, bad, err := formats.ReadBrat(annPath, formats.DecodeReader(f, im.opts.decoder), txtPath, string(data), opts)
	if err != nil {
		return bad, err
	}
	// The document and its good lines go on even with bad lines: the
	// caller refuses the file, or with --skip-invalid skips the lines.
	return bad, fn(rec)
}

// recordCheck checks the records of one file before anything is stored.
type recordCheck struct {
	im        *importer
	annotator string
	// unknown counts the labels the schema lacks.
	unknown map[string]int
	// first remembers where each article and annotator was first seen,
	// and whether that record held more than entity spans.
	first map[string]firstRecord
	bad   []formats.RecordError
}

type firstRecord struct {
	where string
	more  bool
}

func newRecordCheck(im *importer, annotator string) *recordCheck {
	return &recordCheck{im: im, annotator: annotator, unknown: map[string]int{}, first: map[string]firstRecord{}}
}

// record settles a record's annotator and checks its annotation; false
// (with the problem kept in bad) when it cannot be stored.
func (c *recordCheck) record(rec *formats.Annotated) bool {
	if rec.Annotator == "" {
		rec.Annotator = c.annotator
	}
	a := rec.Annotation
	if a == nil || rec.Blank {
		return true
	}
	if err := model.CheckName("annotator name", rec.Annotator); err != nil {
		// A name from the file (Prodigy's _annotator_id, Label Studio's
		// completed_by) reaches the terminal and file names later.
		c.bad = append(c.bad, formats.RecordError{Where: rec.Where, Err: err})
		return false
	}
	if err := c.im.env.checkRecordAnnotator(rec.Annotator); err != nil {
		c.bad = append(c.bad, formats.RecordError{Where: rec.Where, Err: fmt.Errorf("%w (correct the annotator's name in the file)", err)})
		return false
	}
	a.ArticleID = model.ArticleID(rec.Article.Text)
	a.Annotator = rec.Annotator
	if a.Schema == "" {
		a.Schema = c.im.schema.Name
	}
	fail := func(err error) bool {
		c.bad = append(c.bad, formats.RecordError{Where: rec.Where, Err: err})
		return false
	}
	// Labels the schema lacks are counted for the whole file (refused or
	// added once), not reported record by record.
	schema := c.im.schema
	var extra []string
	for _, s := range a.Entities {
		if _, ok := schema.Label(s.Label); !ok {
			if !slices.Contains(extra, s.Label) {
				extra = append(extra, s.Label)
			}
			c.unknown[s.Label]++
		}
	}
	if len(extra) > 0 {
		schema = withLabels(schema, extra)
	}
	// Peer tools have mentions without entities: each gets its entity
	// (identical mentions share one), as on the screen.
	model.GroupMentions(a, rec.Article.Text)
	if errs := model.Validate(a, rec.Article.Text, schema); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, fe := range errs {
			msgs[i] = fe.Error()
		}
		return fail(errors.New(strings.Join(msgs, "; ")))
	}
	if rec.Review != nil {
		a.Decisions = reviewDecisions(rec.Article.Text, schema, *a, rec.Review)
	}
	key := a.ArticleID + "\x00" + a.Annotator
	more := len(a.Claims) > 0 || len(a.Incidents) > 0 || len(a.Sources) > 0
	if first, ok := c.first[key]; ok && (more || first.more) {
		return fail(fmt.Errorf("the same text again for annotator %q (first at %s): records holding claims, incidents or grades cannot be merged; split the file", a.Annotator, first.where))
	} else if !ok {
		c.first[key] = firstRecord{where: rec.Where, more: more}
	}
	return true
}

// reviewDecisions records which sessions each item of a gold annotation
// came from, for gold imported from a Prodigy review record: the items
// are package review's, built from the sessions' versions as the import
// stores them, so `annotate review` of these annotators finds each item
// decided. An item is accepted when gold's version is every session's,
// taken when it is some sessions' (those in From), rejected when gold has
// none of what sessions had, edited when gold's is no session's (the
// reviewer changed it, or took several different versions at once).
func reviewDecisions(text string, schema *model.Schema, gold model.Annotation, src *formats.ReviewSource) []model.Decision {
	versions := map[string]*model.Annotation{}
	var sessions []string
	for _, v := range src.Versions {
		a := model.NewAnnotation(gold.ArticleID, v.Session, gold.Schema)
		if v.Annotation != nil {
			a = v.Annotation.Clone()
			a.ArticleID, a.Annotator = gold.ArticleID, v.Session
			model.GroupMentions(&a, text)
		}
		if prev, ok := versions[v.Session]; ok {
			// A session twice: its records are merged as the import
			// merges them.
			a = mergeSpans(*prev, a, text)
		} else {
			sessions = append(sessions, v.Session)
		}
		versions[v.Session] = &a
	}
	sort.Strings(sessions)
	g := gold.Clone()
	g.Decisions = nil
	set := review.Build(text, schema, sessions, versions, &g)
	var out []model.Decision
	for _, it := range set.Items {
		if it.Gold == "" && len(it.Havers(sessions)) == 0 {
			continue
		}
		d := model.Decision{Item: it.Key, By: src.By, At: src.At, Seen: map[string]string{}}
		var same []string
		for _, who := range sessions {
			d.Seen[who] = it.Digest[who]
			if it.Gold != "" && it.Versions[who] == it.Gold {
				same = append(same, who)
			}
		}
		switch {
		case it.Gold == "":
			d.Kind = model.DecisionRejected
		case len(same) == len(sessions):
			d.Kind, d.From = model.DecisionAccepted, same
		case len(same) > 0:
			d.Kind, d.From = model.DecisionTaken, same
		default:
			d.Kind = model.DecisionEdited
		}
		out = append(out, d)
	}
	return out
}

// withLabels returns a copy of the schema with more labels.
func withLabels(s *model.Schema, labels []string) *model.Schema {
	t := *s
	t.Labels = append([]model.Label(nil), s.Labels...)
	for _, l := range labels {
		if _, ok := t.Label(l); !ok {
			t.Labels = append(t.Labels, model.Label{Name: l})
		}
	}
	return &t
}

// judgeLabels refuses a file whose labels the schema lacks, or adds them
// with --add-labels.
func (im *importer) judgeLabels(p string, unknown map[string]int) bool {
	if len(unknown) == 0 {
		return true
	}
	names := make([]string, 0, len(unknown))
	for l := range unknown {
		names = append(names, l)
	}
	sort.Strings(names)
	if !im.opts.addLabels {
		counts := make([]string, len(names))
		for i, l := range names {
			counts[i] = fmt.Sprintf("%s (%d)", l, unknown[l])
		}
		im.stats.failed++
		im.errorf("%s: refused, labels not in the schema: %s (nothing from this file was imported; rename them with --label-map FILE or add them with --add-labels)", p, strings.Join(counts, ", "))
		return false
	}
	s := withLabels(im.schema, names)
	if err := s.Check(); err != nil {
		im.stats.failed++
		im.errorf("%s: cannot add the labels: %v", p, err)
		return false
	}
	if err := im.store.SetSchema(s); err != nil {
		im.fatal = err
		return false
	}
	im.schema = s
	fmt.Fprintf(im.env.stderr, "annotate: import %s: added %s %s to the schema\n", p, plural(len(names), "label", "labels"), strings.Join(names, ", "))
	return true
}

// save stores one imported annotation as the annotator's annotation of
// the article: a new revision, so it is in the history and can be undone.
// A second record for the same article and annotator in one file adds its
// spans to the first. An annotation the annotator already has from
// elsewhere (another file, the screen) is never replaced silently: an
// identical one is unchanged; for a different one, --replace (or --prefer
// theirs) puts the record's in its place, --merge adds its spans (as
// within one file), --prefer ours leaves the record out; otherwise a
// native record (another machine's export) is kept beside it, as
// ANNOTATOR@FILE (what merge does with a conflict), and a peer format's
// record is refused (its annotator often comes from --annotator or a file
// name, so two people's files may meet under one name: the user decides).
func (im *importer) save(p pendingAnnotation) error {
	a := p.ann
	if err := im.checkRegistryLinks(&a); err != nil {
		return fmt.Errorf("import %s: %w", p.where, err)
	}
	key := a.ArticleID + "\x00" + a.Annotator
	if as, ok := im.saved[key]; ok {
		a.Annotator = as
	}
	cur, err := im.annotation(a.ArticleID, a.Annotator)
	if err != nil {
		return fmt.Errorf("import %s: %w", p.where, err)
	}
	note := func(c conflict) {
		c.where, c.article, c.title, c.annotator = p.where, a.ArticleID, p.title, p.ann.Annotator
		im.conflicts = append(im.conflicts, c)
	}
	refuse := func(why string) error {
		im.stats.refused++
		note(conflict{why: why})
		return nil
	}
	keptAs := ""
	switch {
	case im.saved[key] != "":
		a = mergeSpans(cur, a, p.text)
	case cur.IsEmpty() || store.SameAnnotation(cur, a) || im.opts.replace:
	case im.opts.prefer == store.PreferOurs:
		im.stats.keptOurs++
		note(conflict{ours: true})
		return nil
	case im.opts.merge && (len(a.Claims) > 0 || len(a.Incidents) > 0 || len(a.Sources) > 0):
		return refuse("the record holds claims, incidents or grades, which --merge cannot merge: use --replace")
	case im.opts.merge:
		a = mergeSpans(cur, a, p.text)
	case im.opts.format == "native":
		if cur, keptAs, err = im.beside(&a, store.SourceName(p.file)); err != nil {
			return fmt.Errorf("import %s: %w", p.where, err)
		}
	default:
		return refuse("")
	}
	a.Rev = cur.Rev
	if cur.NextID > a.NextID {
		a.NextID = cur.NextID
	}
	im.saved[key] = a.Annotator
	// An empty annotation and one that is not differ: the common case of
	// a first import is settled without encoding both to compare them.
	if cur.IsEmpty() == a.IsEmpty() && store.SameAnnotation(cur, a) {
		im.stats.unchanged++
		return nil
	}
	action := "import " + p.file
	if keptAs != "" {
		action += " (kept beside " + p.ann.Annotator + "'s own)"
		im.stats.keptBoth++
		if !slices.Contains(im.stats.keptAs, keptAs) {
			im.stats.keptAs = append(im.stats.keptAs, keptAs)
		}
		note(conflict{keptAs: keptAs})
	}
	if err := im.commit(a, action); err != nil {
		return fmt.Errorf("import %s: %w", p.where, err)
	}
	im.stats.saved++
	return nil
}

// beside settles the name a native record is kept under beside its
// annotator's own, different annotation: the first of ANNOTATOR@SOURCE,
// ANNOTATOR@SOURCE-2, … that holds nothing yet or holds this very
// annotation (from an earlier import of the file: then it is unchanged). It
// renames a and returns what is stored under the name, and the name when a
// is new there ("" when unchanged).
func (im *importer) beside(a *model.Annotation, source string) (model.Annotation, string, error) {
	who := a.Annotator
	for k := 1; ; k++ {
		name := store.ConflictName(who, source, k)
		cur, err := im.annotation(a.ArticleID, name)
		if err != nil {
			return cur, "", err
		}
		marked := a.Clone()
		marked.Annotator = name
		if store.SameAnnotation(cur, marked) {
			*a = marked
			return cur, "", nil
		}
		if cur.Rev == 0 || cur.IsEmpty() {
			*a = marked
			return cur, name, nil
		}
	}
}

// mergeSpans adds next's spans (those not already there) and notes to cur.
// A span whose entity in next has external ids or a registry link (a
// kb_id, an entity linking answer) brings them: it joins cur's entity of
// its label that shares one, else its entity comes along (under a new id);
// a span cur already has gives its entity the ids it lacks. The other
// spans join their entities as every import's do (model.GroupMentions).
func mergeSpans(cur, next model.Annotation, text string) model.Annotation {
	out := cur.Clone()
	ids := map[string]string{} // next's span IDs -> out's
	for _, s := range next.Entities {
		from, _ := next.Referent(s.Entity)
		linked := len(from.ExternalIDs) > 0 || from.Registry != ""
		dup := slices.IndexFunc(out.Entities, func(t model.Span) bool { return t.Start == s.Start && t.End == s.End && t.Label == s.Label })
		if dup >= 0 {
			ids[s.ID] = out.Entities[dup].ID
			if e := referent(&out, out.Entities[dup].Entity); linked && e != nil {
				addReferences(e, from)
			}
			continue
		}
		// Its ids are the other record's: the mention joins an entity of
		// this annotation (or starts one) instead.
		ids[s.ID] = out.NewID("e")
		s.ID, s.Entity = ids[s.ID], ""
		if linked {
			for i := range out.Referents {
				if e := &out.Referents[i]; e.Label == from.Label && sharesReference(*e, from) {
					s.Entity = e.ID
					addReferences(e, from)
					break
				}
			}
			if s.Entity == "" {
				// Its affiliations name the other record's entities: they
				// do not come along.
				e := from
				e.ID, e.Affiliations = out.NewID("n"), nil
				e.Aliases, e.ExternalIDs = slices.Clone(from.Aliases), slices.Clone(from.ExternalIDs)
				out.Referents = append(out.Referents, e)
				s.Entity = e.ID
			}
		}
		out.Entities = append(out.Entities, s)
	}
	model.GroupMentions(&out, text)
	if next.Notes != "" {
		if out.Notes != "" {
			out.Notes += "\n"
		}
		out.Notes += next.Notes
	}
	// A gold record's decisions (a Prodigy review of one span per record)
	// come along, naming out's spans; a later decision on the same item
	// stands in place of the earlier, as in review.
	for _, d := range next.Decisions {
		d.From, d.Seen = slices.Clone(d.From), maps.Clone(d.Seen)
		gold := d.Gold
		d.Gold = nil
		for _, id := range gold {
			if to, ok := ids[id]; ok {
				d.Gold = append(d.Gold, to)
			}
		}
		out.Decisions = slices.DeleteFunc(out.Decisions, func(x model.Decision) bool { return x.Item == d.Item })
		out.Decisions = append(out.Decisions, d)
	}
	return out
}

// referent is a's entity of that id (nil when none).
func referent(a *model.Annotation, id string) *model.Entity {
	i := slices.IndexFunc(a.Referents, func(e model.Entity) bool { return e.ID == id })
	if i < 0 {
		return nil
	}
	return &a.Referents[i]
}

// sharesReference reports whether two entities share an external id or a
// registry link.
func sharesReference(a, b model.Entity) bool {
	return (a.Registry != "" && a.Registry == b.Registry) || slices.ContainsFunc(a.ExternalIDs, func(x string) bool { return slices.Contains(b.ExternalIDs, x) })
}

// addReferences gives e the external ids (and registry link) of from
// that it lacks.
func addReferences(e *model.Entity, from model.Entity) {
	for _, x := range from.ExternalIDs {
		if !slices.Contains(e.ExternalIDs, x) {
			e.ExternalIDs = append(e.ExternalIDs, x)
		}
	}
	if e.Registry == "" {
		e.Registry = from.Registry
	}
}

// sortByLine orders bad records by file and line.
func sortByLine(bad []formats.RecordError) {
	line := func(where string) (string, int) {
		i := strings.LastIndexByte(where, ':')
		if i < 0 {
			return where, 0
		}
		n, err := strconv.Atoi(where[i+1:])
		if err != nil {
			return where, 0
		}
		return where[:i], n
	}
	sort.SliceStable(bad, func(i, j int) bool {
		fi, li := line(bad[i].Where)
		fj, lj := line(bad[j].Where)
		if fi != fj {
			return fi < fj
		}
		return li < lj
	})
}

// checkRegistryLinks drops the registry links of an imported annotation
// that mean nothing here: a link is an id in the database that exported
// it, so it is kept only when this database has that entry with the same
// label and one of the entity's names.
func (im *importer) checkRegistryLinks(a *model.Annotation) error {
	if im.registry == nil {
		im.registry = map[string]model.RegistryEntry{}
		if err := im.store.Registry(func(r model.RegistryEntry) error {
			im.registry[r.ID] = r
			return nil
		}); err != nil {
			return err
		}
	}
	for i := range a.Referents {
		e := &a.Referents[i]
		if e.Registry == "" {
			continue
		}
		r, ok := im.registry[e.Registry]
		same := ok && r.Label == e.Label && slices.ContainsFunc(r.Names(), e.HasName)
		if !same {
			e.Registry = ""
		}
	}
	return nil
}
