package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// exportFormatList names the --format values: "native, brat, … or
// spacy" (and, "|"), or "native|brat|…|spacy" (or).
func exportFormatList(or string) string {
	var names []string
	for _, f := range formats.ExportFormats() {
		names = append(names, f.Name)
	}
	if or == "|" {
		return strings.Join(names, "|")
	}
	return orList(names)
}

// orList joins "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// exportFormatHelp is the help of --format: one line naming the formats
// (exportAbout gives each its line).
func exportFormatHelp() string {
	return "the format `F`: " + exportFormatList("or") + " (each above)"
}

// exportAbout lists the formats, each with its line of help, for export's
// --help.
func exportAbout() string {
	var b strings.Builder
	b.WriteString("Formats:\n")
	for _, f := range formats.ExportFormats() {
		fmt.Fprintf(&b, "  %-13s %s\n", f.Name, f.Help)
	}
	return b.String()
}

// formatFlag is a flag of one or more formats, as registered on the
// command line.
type formatFlag struct {
	formats.ExportFlag
	takers []string // the formats that take it
	value  *string  // a value flag's value
	on     *bool    // a bool flag's value
}

// addFormatFlags registers every format's flags on fs, once each, with
// the formats that take it named in its help.
func addFormatFlags(fs *flag.FlagSet) map[string]*formatFlag {
	flags := map[string]*formatFlag{}
	var order []string
	for _, f := range formats.ExportFormats() {
		for _, fl := range f.Flags {
			if ff, ok := flags[fl.Name]; ok {
				ff.takers = append(ff.takers, f.Name)
				continue
			}
			flags[fl.Name] = &formatFlag{ExportFlag: fl, takers: []string{f.Name}}
			order = append(order, fl.Name)
		}
	}
	for _, name := range order {
		ff := flags[name]
		usage := strings.Join(ff.takers, ", ") + ": " + ff.Help
		if !ff.Bool && !strings.Contains(usage, "`") {
			// The help names its value (`SET`), as every flag's does.
			usage = strings.Join(ff.takers, ", ") + ": `" + strings.ToUpper(name) + "`, " + ff.Help
		}
		if ff.Bool {
			ff.on = fs.Bool(name, false, usage)
		} else {
			ff.value = fs.String(name, ff.Default, usage)
		}
	}
	return flags
}

// String is the flag's value as an exporter reads it.
func (ff *formatFlag) String() string {
	if ff.Bool {
		return strconv.FormatBool(*ff.on)
	}
	return *ff.value
}

type exportOptions struct {
	format, out, status, since string
	all, gold                  bool
	// flags are the formats' own flags (formats.ExportFormat.Flags).
	flags map[string]*formatFlag
}

func runExport(e *env, args []string) error {
	fs := e.newFlags("export")
	var o exportOptions
	fs.StringVar(&o.format, "format", "native", exportFormatHelp())
	fs.BoolVar(&o.all, "all", false, "every article, also those the annotator has not touched")
	fs.StringVar(&o.out, "o", "", "write to this `FILE` (a folder format: this folder) instead of standard output")
	o.flags = addFormatFlags(fs)
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
	format, err := o.check(fs)
	if err != nil {
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

	out, err := newExportOutput(e, o, format)
	if err != nil {
		return err
	}
	defer out.abandon()
	config := formats.ExportConfig{Out: out.w, Dir: out.dir, Schema: schema, Flags: map[string]string{},
		Warn: func(line string) {
			fmt.Fprintf(e.stderr, "annotate: export %s: %s\n", format.Name, termtext.Line(line))
		}}
	for _, fl := range format.Flags {
		config.Flags[fl.Name] = o.flags[fl.Name].String()
	}
	exp, err := format.New(config)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			exp.Abort()
		}
	}()

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
		written, err := exp.Write(r.Article, kept)
		n += written
		return err
	})
	p.done()
	if err == nil {
		closed = true
		err = exp.Close()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := out.commit(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if o.out != "" {
		fmt.Fprintf(e.stderr, "exported %d %s to %s\n", n, format.Counts, o.out)
	}
	return nil
}

// check returns the format and refuses flags that do not apply to it.
func (o exportOptions) check(fs *flag.FlagSet) (formats.ExportFormat, error) {
	format, ok := formats.ExportFormatNamed(o.format)
	if !ok {
		return format, errUsage{fmt.Sprintf("unknown --format %q: use %s", o.format, exportFormatList(","))}
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		ff, ok := o.flags[f.Name]
		if ok && !slices.Contains(ff.takers, format.Name) && err == nil {
			err = errUsage{fmt.Sprintf("--%s applies to --format %s only", f.Name, strings.Join(ff.takers, " or "))}
		}
	})
	if err != nil {
		return format, err
	}
	for _, fl := range format.Flags {
		if v := o.flags[fl.Name].String(); fl.Values != nil && !slices.Contains(fl.Values, v) {
			return format, errUsage{fmt.Sprintf("unknown --%s %q: use %s", fl.Name, v, orList(fl.Values))}
		}
	}
	if format.Folder != "" && o.out == "" {
		return format, errUsage{fmt.Sprintf("--format %s writes a folder of %s: name it with -o DIR", format.Name, format.Folder)}
	}
	return format, nil
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

// exportOutput is where an export goes: standard output, a file written
// beside its target and renamed at the end, or (brat) a folder built beside
// its target and renamed at the end, so a failed export never leaves half
// a file under the real name.
type exportOutput struct {
	w         io.Writer
	tmp       *os.File
	dir       string // a folder format's folder being written
	target    string
	committed bool
}

func newExportOutput(e *env, o exportOptions, format formats.ExportFormat) (*exportOutput, error) {
	out := &exportOutput{w: e.stdout, target: o.out}
	if o.out == "" {
		return out, nil
	}
	if format.Folder != "" {
		if entries, err := os.ReadDir(o.out); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("export: %s is not empty: name a new folder for the %s files", o.out, format.Name)
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
