package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/annotate-tool/annotate/internal/model"
)

// An Exporter writes annotations in one format, as a stream. annotate
// export makes one with its format's New, calls Write once per article
// (in article order, with at least one annotation), then Close; when the
// export fails half way it calls Abort instead of Close, and what was
// written is thrown away.
type Exporter interface {
	// Write writes the annotations of one article and returns how many
	// records it counts for them (see ExportFormat.Counts).
	Write(art model.Article, anns []model.Annotation) (records int, err error)
	// Close finishes the output (closing brackets, a configuration file)
	// and flushes it.
	Close() error
	// Abort stops what the exporter runs, without finishing the output.
	Abort()
}

// ExportConfig is what a format's New is given.
type ExportConfig struct {
	// Out is the output of a format that writes a stream.
	Out io.Writer
	// Dir is the folder, already made and empty, of a format that writes
	// one (ExportFormat.Folder).
	Dir    string
	Schema *model.Schema
	// Flags holds the value of each of the format's flags
	// (ExportFormat.Flags), given or default; a bool flag is "true" or
	// "false".
	Flags map[string]string
	// Warn is told of each thing an export leaves out or changes, one line
	// each. It may be nil.
	Warn func(line string)
}

// warn calls Warn when there is one.
func (c ExportConfig) warn(line string) {
	if c.Warn != nil {
		c.Warn(line)
	}
}

// ExportFlag is a flag of annotate export that one or more formats take.
type ExportFlag struct {
	Name string
	// Help is one line, without the format's name.
	Help string
	// Bool marks a flag without a value.
	Bool bool
	// Default is a value flag's value when it is not given.
	Default string
	// Values are the values a value flag takes; nil takes any.
	Values []string
}

// ExportFormat is one --format of annotate export: the command line, its
// help, the check of the README's format table and the tests all read
// these, so a format is its file (which registers it) and its test.
type ExportFormat struct {
	Name string
	// Help says in one line what the format writes.
	Help string
	// Flags are the flags the format takes besides the common ones.
	Flags []ExportFlag
	// Folder, for a format that writes a folder rather than a stream,
	// says what the folder holds (".txt and .ann files").
	Folder string
	// Counts names what Write counts: "records" (annotations) or
	// "incidents".
	Counts string
	// New starts an export.
	New func(ExportConfig) (Exporter, error)
}

// exportFormats holds every format, by name (registerExport).
var exportFormats = map[string]ExportFormat{}

// registerExport adds a format; each format's file calls it from init.
func registerExport(f ExportFormat) {
	if f.Name == "" || f.Help == "" || f.New == nil || (f.Counts != "records" && f.Counts != "incidents") {
		panic(fmt.Sprintf("formats: export format %q is incomplete", f.Name))
	}
	if _, ok := exportFormats[f.Name]; ok {
		panic("formats: two export formats named " + f.Name)
	}
	for _, fl := range f.Flags {
		if fl.Name == "" || fl.Help == "" || strings.Contains(fl.Help, "\n") || (fl.Bool && (fl.Default != "" || fl.Values != nil)) {
			panic(fmt.Sprintf("formats: export format %s: flag %q is incomplete", f.Name, fl.Name))
		}
	}
	exportFormats[f.Name] = f
}

// ExportFormats returns every export format, "native" first (the
// default), then by name.
func ExportFormats() []ExportFormat {
	out := make([]ExportFormat, 0, len(exportFormats))
	for _, f := range exportFormats {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "native") != (out[j].Name == "native") {
			return out[i].Name == "native"
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ExportFormatNamed returns the export format of that name.
func ExportFormatNamed(name string) (ExportFormat, bool) {
	f, ok := exportFormats[name]
	return f, ok
}

// exportPerAnnotation adapts a writer of one annotation at a time.
type exportPerAnnotation struct {
	write func(model.Article, model.Annotation) error
	close func() error
}

func (e exportPerAnnotation) Write(art model.Article, anns []model.Annotation) (int, error) {
	for _, a := range anns {
		if err := e.write(art, a); err != nil {
			return 0, err
		}
	}
	return len(anns), nil
}

func (e exportPerAnnotation) Close() error { return e.close() }
func (e exportPerAnnotation) Abort()       {}

// newLineExporter writes one JSON object per annotation, made by convert.
// The records are converted and encoded by a worker per core while the
// store reads the next ones; a writer puts the lines out in the order they
// came, so the output is byte for byte what one goroutine would write. At
// most lineQueue records are in flight, so memory stays flat.
func newLineExporter(w io.Writer, convert func(model.Article, model.Annotation) (any, error)) Exporter {
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

// lineQueue bounds the records a line exporter holds at once.
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

func (s *parallelLines) Write(art model.Article, anns []model.Annotation) (int, error) {
	for _, a := range anns {
		if err := s.err(); err != nil {
			return 0, err
		}
		j := &lineJob{art: art, ann: a, ready: make(chan struct{})}
		s.order <- j
		s.jobs <- j
	}
	return len(anns), nil
}

// Abort ends the workers and the writer once they have done what they
// were given.
func (s *parallelLines) Abort() {
	s.once.Do(func() {
		close(s.jobs)
		close(s.order)
	})
	s.workers.Wait()
	<-s.done
}

func (s *parallelLines) Close() error {
	s.Abort()
	if err := s.err(); err != nil {
		return err
	}
	return s.w.Flush()
}

// exportPerArticle adapts a writer of one article's annotations at a time.
type exportPerArticle struct {
	write func(model.Article, []model.Annotation) error
	close func() error
}

func (e exportPerArticle) Write(art model.Article, anns []model.Annotation) (int, error) {
	return len(anns), e.write(art, anns)
}

func (e exportPerArticle) Close() error { return e.close() }
func (e exportPerArticle) Abort()       {}
