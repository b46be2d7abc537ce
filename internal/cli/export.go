package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// everyAnnotator is the --annotator value that exports all annotators.
const everyAnnotator = "*"

// goldAnnotator is where review writes the adjudicated annotations; --gold
// exports them.
const goldAnnotator = model.GoldAnnotator

// exportFormats lists the --format values.
const exportFormats = "native, spacy, doccano, labelstudio, brat, conll or incidents-csv"

// exportSink writes the annotations of one article in one format.
type exportSink interface {
	write(art model.Article, anns []model.Annotation) (records int, err error)
	close() error
}

// sinkFunc adapts a per-annotation writer.
type sinkFunc struct {
	each  func(model.Article, model.Annotation) error
	flush func() error
}

func (s sinkFunc) write(art model.Article, anns []model.Annotation) (int, error) {
	for _, a := range anns {
		if err := s.each(art, a); err != nil {
			return 0, err
		}
	}
	return len(anns), nil
}

func (s sinkFunc) close() error { return s.flush() }

// lineSink writes one JSON object per annotation. The records are
// converted and encoded by a worker per core while the store reads the
// next ones; a writer puts the lines out in the order they came, so the
// output is byte for byte what one goroutine would write. At most
// lineQueue records are in flight, so memory stays flat.
func lineSink(w io.Writer, convert func(model.Article, model.Annotation) (any, error)) exportSink {
	s := &parallelLines{
		w:     bufio.NewWriterSize(w, 256*1024),
		jobs:  make(chan *lineJob, lineQueue),
		order: make(chan *lineJob, lineQueue),
		done:  make(chan struct{}),
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	s.workers.Add(workers)
	for range workers {
		go s.work(convert)
	}
	go s.drain()
	return s
}

// lineQueue bounds the records a lineSink holds at once.
const lineQueue = 512

type lineJob struct {
	art   model.Article
	ann   model.Annotation
	line  []byte
	err   error
	ready chan struct{}
}

type parallelLines struct {
	w       *bufio.Writer
	jobs    chan *lineJob
	order   chan *lineJob
	workers sync.WaitGroup
	done    chan struct{}
	// failed is the first error, conversion's or the writer's; once set,
	// nothing more is written.
	mu     sync.Mutex
	failed error
	once   sync.Once
}

func (s *parallelLines) work(convert func(model.Article, model.Annotation) (any, error)) {
	defer s.workers.Done()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for j := range s.jobs {
		v, err := convert(j.art, j.ann)
		if err == nil {
			buf.Reset()
			err = enc.Encode(v)
			j.line = bytes.Clone(buf.Bytes())
		}
		j.err = err
		j.art, j.ann = model.Article{}, model.Annotation{}
		close(j.ready)
	}
}

func (s *parallelLines) drain() {
	defer close(s.done)
	for j := range s.order {
		<-j.ready
		if s.err() != nil {
			continue
		}
		err := j.err
		if err == nil {
			_, err = s.w.Write(j.line)
		}
		if err != nil {
			s.fail(err)
		}
	}
}

func (s *parallelLines) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

func (s *parallelLines) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil {
		s.failed = err
	}
}

func (s *parallelLines) write1(art model.Article, a model.Annotation) error {
	if err := s.err(); err != nil {
		return err
	}
	j := &lineJob{art: art, ann: a, ready: make(chan struct{})}
	s.order <- j
	s.jobs <- j
	return nil
}

func (s *parallelLines) write(art model.Article, anns []model.Annotation) (int, error) {
	for _, a := range anns {
		if err := s.write1(art, a); err != nil {
			return 0, err
		}
	}
	return len(anns), nil
}

// stop ends the workers and the writer once they have done what they
// were given (also when an export fails half way).
func (s *parallelLines) stop() {
	s.once.Do(func() {
		close(s.jobs)
		close(s.order)
	})
	s.workers.Wait()
	<-s.done
}

func (s *parallelLines) close() error {
	s.stop()
	if err := s.err(); err != nil {
		return err
	}
	return s.w.Flush()
}

type labelStudioSink struct{ w *formats.LabelStudioWriter }

func (s labelStudioSink) write(art model.Article, anns []model.Annotation) (int, error) {
	return len(anns), s.w.Write(art, anns)
}
func (s labelStudioSink) close() error { return s.w.Close() }

type bratSink struct {
	w      *formats.BratWriter
	stderr io.Writer
}

func (s bratSink) write(art model.Article, anns []model.Annotation) (int, error) {
	return len(anns), s.w.Write(art, anns)
}

func (s bratSink) close() error {
	for _, w := range s.w.Warnings {
		fmt.Fprintf(s.stderr, "annotate: export brat: %s\n", w)
	}
	return s.w.Close()
}

type incidentSink struct{ w *formats.IncidentWriter }

func (s incidentSink) write(art model.Article, anns []model.Annotation) (int, error) {
	before := s.w.Rows()
	for _, a := range anns {
		if err := s.w.Write(art, a); err != nil {
			return 0, err
		}
	}
	return s.w.Rows() - before, nil
}
func (s incidentSink) close() error { return s.w.Flush() }

type exportOptions struct {
	format, out, columns, status, since string
	all, tokens, relations, gold        bool
}

func runExport(e *env, args []string) error {
	fs := e.newFlags("export")
	var o exportOptions
	fs.StringVar(&o.format, "format", "native", "the format `F`: "+exportFormats)
	fs.BoolVar(&o.all, "all", false, "every article, also those the annotator has not touched")
	fs.StringVar(&o.out, "o", "", "write to this `FILE` (brat: this folder) instead of standard output")
	fs.BoolVar(&o.tokens, "tokens", false, "spacy: add tokens and each span's token_start and token_end")
	fs.BoolVar(&o.relations, "relations", false, "doccano: the entities and relations form, with claims as relations")
	fs.StringVar(&o.columns, "columns", "acled", "incidents-csv: the column `SET`, acled, gtd or ucdp")
	fs.StringVar(&o.status, "status", "", "only annotations with this status `S`: todo, in_progress, done or skipped")
	fs.StringVar(&o.since, "since", "", "only annotations changed since this `DATE`, YYYY-MM-DD[THH:MM] (UTC)")
	fs.BoolVar(&o.gold, "gold", false, "the adjudicated annotations (annotator \""+goldAnnotator+"\", where review writes)")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	keep, err := o.filter()
	if err != nil {
		return err
	}
	if err := o.check(fs); err != nil {
		return err
	}
	annotator := e.annotator
	if o.gold {
		if flagSet(fs, "annotator") {
			return errUsage{"--gold exports the annotator \"" + goldAnnotator + "\": leave out --annotator"}
		}
		annotator = goldAnnotator
		e.annotator = annotator // the one read: checkAnnotator holds it to the rules, not the default
	}
	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()

	out, err := newExportOutput(e, o)
	if err != nil {
		return err
	}
	defer out.abandon()
	sink, err := o.sink(out, schema, e.stderr)
	if err != nil {
		return err
	}
	if s, ok := sink.(interface{ stop() }); ok {
		defer s.stop()
	}

	filter := store.Filter{Annotator: annotator, All: o.all}
	if annotator == everyAnnotator {
		filter.Annotator = ""
	}
	p := &exportProgress{stderr: e.stderr, started: time.Now()}
	n := 0
	err = db.Each(filter, func(r store.Record) error {
		p.article(r.Article.ID)
		anns := r.Annotations
		if len(anns) == 0 {
			anns = []model.Annotation{model.NewAnnotation(r.Article.ID, annotator, schema.Name)}
		}
		kept := anns[:0]
		for _, a := range anns {
			if a.Schema == "" {
				a.Schema = schema.Name
			}
			if a.Status == "" {
				a.Status = model.StatusTodo
			}
			if keep(a) {
				kept = append(kept, a)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		written, err := sink.write(r.Article, kept)
		n += written
		return err
	})
	p.done()
	if err == nil {
		err = sink.close()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := out.commit(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if o.out != "" {
		what := "records"
		if o.format == "incidents-csv" {
			what = "incidents"
		}
		fmt.Fprintf(e.stderr, "exported %d %s to %s\n", n, what, o.out)
	}
	return nil
}

// check refuses flags that do not apply to the format.
func (o exportOptions) check(fs *flag.FlagSet) error {
	switch o.format {
	case "native", "spacy", "doccano", "labelstudio", "brat", "conll", "incidents-csv":
	default:
		return errUsage{fmt.Sprintf("unknown --format %q: use %s", o.format, exportFormats)}
	}
	only := map[string]string{"tokens": "spacy", "relations": "doccano", "columns": "incidents-csv"}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if want, ok := only[f.Name]; ok && want != o.format && err == nil {
			err = errUsage{fmt.Sprintf("--%s applies to --format %s only", f.Name, want)}
		}
	})
	if err != nil {
		return err
	}
	if o.format == "incidents-csv" && !slices.Contains(formats.IncidentColumns, o.columns) {
		return errUsage{fmt.Sprintf("unknown --columns %q: use acled, gtd or ucdp", o.columns)}
	}
	if o.format == "brat" && o.out == "" {
		return errUsage{"--format brat writes a folder of .txt and .ann files: name it with -o DIR"}
	}
	return nil
}

// filter returns the test --status and --since make.
func (o exportOptions) filter() (func(model.Annotation) bool, error) {
	status := model.Status(o.status)
	if o.status != "" && !status.Valid() {
		return nil, errUsage{fmt.Sprintf("unknown --status %q: use todo, in_progress, done or skipped", o.status)}
	}
	var since time.Time
	if o.since != "" {
		var err error
		since, err = parseSince(o.since)
		if err != nil {
			return nil, errUsage{err.Error()}
		}
	}
	return func(a model.Annotation) bool {
		if o.status != "" && a.Status != status {
			return false
		}
		return since.IsZero() || !a.UpdatedAt.Before(since)
	}, nil
}

// parseSince reads --since: a date, or a date and time (UTC).
func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", s)
}

func (o exportOptions) sink(out *exportOutput, schema *model.Schema, stderr io.Writer) (exportSink, error) {
	switch o.format {
	case "native":
		return lineSink(out.w, func(a model.Article, n model.Annotation) (any, error) { return formats.ToNative(a, n) }), nil
	case "spacy":
		opts := formats.SpacyOptions{Tokens: o.tokens}
		return lineSink(out.w, func(a model.Article, n model.Annotation) (any, error) { return formats.ToSpacy(a, n, opts) }), nil
	case "doccano":
		return lineSink(out.w, func(a model.Article, n model.Annotation) (any, error) {
			return formats.ToDoccano(a, n, o.relations)
		}), nil
	case "labelstudio":
		return labelStudioSink{formats.NewLabelStudioWriter(out.w)}, nil
	case "brat":
		return bratSink{w: formats.NewBratWriter(out.dir, schema), stderr: stderr}, nil
	case "conll":
		cw := formats.NewCoNLLWriter(out.w)
		return sinkFunc{each: cw.Write, flush: func() error {
			// Every span left out is named, with why: BIO holds one
			// layer, and a span of white space only covers no token.
			for _, l := range cw.LeftOut {
				fmt.Fprintf(stderr, "annotate: export conll: %s\n", termtext.Line(l))
			}
			for _, l := range cw.Trimmed {
				fmt.Fprintf(stderr, "annotate: export conll: %s\n", termtext.Line(l))
			}
			if cw.Dropped > 0 {
				fmt.Fprintf(stderr, "annotate: export conll: %d %s left out\n", cw.Dropped, plural(cw.Dropped, "span", "spans"))
			}
			return cw.Flush()
		}}, nil
	}
	iw, err := formats.NewIncidentWriter(out.w, o.columns, schema)
	if err != nil {
		return nil, err
	}
	return incidentSink{iw}, nil
}

// exportOutput is where an export goes: standard output, a file written
// beside its target and renamed at the end, or (brat) a folder built beside
// its target and renamed at the end, so a failed export never leaves half
// a file under the real name.
type exportOutput struct {
	w         io.Writer
	tmp       *os.File
	dir       string // brat: the folder being written
	target    string
	committed bool
}

func newExportOutput(e *env, o exportOptions) (*exportOutput, error) {
	out := &exportOutput{w: e.stdout, target: o.out}
	if o.out == "" {
		return out, nil
	}
	if o.format == "brat" {
		if entries, err := os.ReadDir(o.out); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("export: %s is not empty: name a new folder for the brat files", o.out)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("export: %w", err)
		}
		dir, err := os.MkdirTemp(filepath.Dir(filepath.Clean(o.out)), ".annotate-export-*")
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		out.dir = dir
		return out, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.out), ".annotate-export-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	out.tmp, out.w = tmp, tmp
	return out, nil
}

// commit puts the finished export under its name.
func (out *exportOutput) commit() error {
	switch {
	case out.dir != "":
		if err := os.Chmod(out.dir, 0o755); err != nil {
			return err
		}
		// An empty folder of that name may be there already.
		if err := os.Remove(out.target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Rename(out.dir, out.target); err != nil {
			return err
		}
	case out.tmp != nil:
		if err := out.tmp.Close(); err != nil {
			return err
		}
		// CreateTemp makes the file private; an export is an ordinary file.
		if err := os.Chmod(out.tmp.Name(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(out.tmp.Name(), out.target); err != nil {
			return err
		}
	}
	out.committed = true
	return nil
}

// abandon removes what an unfinished export wrote.
func (out *exportOutput) abandon() {
	if out.committed {
		return
	}
	if out.tmp != nil {
		out.tmp.Close()
		os.Remove(out.tmp.Name())
	}
	if out.dir != "" && strings.Contains(filepath.Base(out.dir), ".annotate-export-") {
		os.RemoveAll(out.dir)
	}
}

// exportProgress draws a progress bar on standard error once an export has
// run for a second; short exports print nothing. The store streams
// articles in id order and an id is a hash of the text, spread evenly
// over its range, so how far the last id is into that range is how far
// the export is: no second pass counts the articles first.
type exportProgress struct {
	stderr         io.Writer
	started, shown time.Time
	seen           int
}

func (p *exportProgress) article(id string) {
	p.seen++
	if p.seen%64 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.started) < time.Second || now.Sub(p.shown) < 250*time.Millisecond {
		return
	}
	p.shown = now
	const width = 30
	frac, ok := idFraction(id)
	if !ok {
		fmt.Fprintf(p.stderr, "\rexporting: %d articles ", p.seen)
		return
	}
	done := int(width * frac)
	fmt.Fprintf(p.stderr, "\rexporting [%s%s] %3d%% %d articles ", strings.Repeat("#", done), strings.Repeat(".", width-done), int(100*frac), p.seen)
}

// idFraction is how far an article id (hex digits of a hash) lies into
// the range of ids, from 0 to 1.
func idFraction(id string) (float64, bool) {
	if len(id) < 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(id[:8], 16, 32)
	if err != nil {
		return 0, false
	}
	return float64(n) / (1 << 32), true
}

func (p *exportProgress) done() {
	if p.shown.IsZero() {
		return
	}
	fmt.Fprintf(p.stderr, "\rexported %d articles in %s%s\n", p.seen, time.Since(p.started).Round(time.Second), strings.Repeat(" ", 30))
}
