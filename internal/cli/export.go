package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// everyAnnotator is the --annotator value that exports all annotators.
const everyAnnotator = "*"

func runExport(e *env, args []string) error {
	fs := e.newFlags("export")
	format := fs.String("format", "native", "native or spacy")
	all := fs.Bool("all", false, "every article, also those the annotator has not touched")
	out := fs.String("o", "", "write to this file instead of standard output")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	var convert func(model.Article, model.Annotation) (any, error)
	switch *format {
	case "native":
		convert = func(a model.Article, n model.Annotation) (any, error) { return formats.ToNative(a, n) }
	case "spacy":
		convert = func(a model.Article, n model.Annotation) (any, error) { return formats.ToSpacy(a, n) }
	default:
		return errUsage{fmt.Sprintf("unknown --format %q: use native or spacy", *format)}
	}
	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer = e.stdout
	var tmp *os.File
	if *out != "" {
		// Write beside the target and rename at the end, so a failed
		// export never leaves a half-written file under the real name.
		tmp, err = os.CreateTemp(filepath.Dir(*out), ".annotate-export-*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	filter := store.Filter{Annotator: e.annotator, All: *all}
	if e.annotator == everyAnnotator {
		filter.Annotator = ""
	}
	lw := formats.NewLineWriter(w)
	started, shown := time.Now(), time.Time{}
	n := 0
	err = db.Each(filter, func(r store.Record) error {
		anns := r.Annotations
		if len(anns) == 0 {
			anns = []model.Annotation{model.NewAnnotation(r.Article.ID, e.annotator, schema.Name)}
		}
		for _, a := range anns {
			if a.Schema == "" {
				a.Schema = schema.Name
			}
			v, err := convert(r.Article, a)
			if err != nil {
				return err
			}
			if err := lw.Write(v); err != nil {
				return err
			}
			n++
		}
		if now := time.Now(); now.Sub(started) > time.Second && now.Sub(shown) > 250*time.Millisecond {
			shown = now
			fmt.Fprintf(e.stderr, "\rexporting: %d records ", n)
		}
		return nil
	})
	if !shown.IsZero() {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := lw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		// CreateTemp makes the file private; an export is an ordinary file.
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(e.stderr, "exported %d records to %s\n", n, *out)
	}
	return nil
}
