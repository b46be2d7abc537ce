package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/suggest"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// suggestSources are the flags of suggest and pretag: where suggestions
// come from besides the registry.
type suggestSources struct {
	patterns, url string
	timeout       time.Duration

	pats   []suggest.Pattern
	reg    []model.RegistryEntry
	labels []string
	client *suggest.Client
}

func (s *suggestSources) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.patterns, "patterns", "", "a `FILE` of spaCy EntityRuler patterns (JSONL) to suggest from")
	fs.StringVar(&s.url, "suggest-url", "", "a Label Studio ML backend (`URL`) to ask for predictions (POST URL/predict); nothing is sent without it")
	fs.DurationVar(&s.timeout, "suggest-timeout", suggest.DefaultTimeout, "how long to wait for the suggest server, per article")
}

// open opens the store and loads the sources.
func (s *suggestSources) open(e *env) (store.Store, *model.Schema, error) {
	db, schema, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	if err := s.load(db, schema, e.annotator); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, schema, nil
}

// load reads the patterns (refusing labels the schema lacks, by line) and
// the registry as annotator is offered it (model.RegistryFor: curated
// entries, their own, or all when the registry is shared), and sets up
// the client.
func (s *suggestSources) load(db store.Store, schema *model.Schema, annotator string) error {
	for _, l := range schema.Labels {
		s.labels = append(s.labels, l.Name)
	}
	if s.patterns != "" {
		data, err := readRegular(s.patterns)
		if err != nil {
			return fmt.Errorf("patterns: %w", err)
		}
		s.pats, err = suggest.ReadPatterns(bytes.NewReader(data), s.patterns)
		if err != nil {
			return err
		}
		var bad []string
		for _, p := range s.pats {
			if !slices.Contains(s.labels, p.Label) {
				bad = append(bad, fmt.Sprintf("%s: label %q is not in the schema (%s)", p.Where, p.Label, strings.Join(s.labels, ", ")))
			}
		}
		if len(bad) > 0 {
			return &suggest.PatternError{Lines: bad}
		}
	}
	var all []model.RegistryEntry
	if err := db.Registry(func(e model.RegistryEntry) error { all = append(all, e); return nil }); err != nil {
		return err
	}
	s.reg = model.RegistryFor(all, schema, annotator)
	if s.url != "" {
		s.client = &suggest.Client{URL: s.url, Timeout: s.timeout}
	}
	return nil
}

// find returns an article's suggestions given the annotation a: the
// registry's, the patterns' and the server's when one is named. The
// results the server sent that did not hold are named on standard error.
func (s *suggestSources) find(ctx context.Context, e *env, art model.Article, a *model.Annotation) ([]suggest.Suggestion, error) {
	var predicted []suggest.Suggestion
	if s.client != nil {
		ans, err := s.client.Ask(ctx, art, s.labels)
		if err != nil {
			if ctx.Err() != nil && errors.Is(context.Cause(ctx), errInterrupted) {
				return nil, errInterrupted
			}
			return nil, fmt.Errorf("article %s: %w", art.ID, err)
		}
		for _, line := range ans.Skipped {
			fmt.Fprintf(e.stderr, "annotate: suggest server, article %s: %s: skipped\n", art.ID, termtext.Line(line))
		}
		if n := len(ans.Skipped); n > 0 {
			fmt.Fprintf(e.stderr, "annotate: suggest server, article %s: %d %s skipped\n", art.ID, n, plural(n, "result", "results"))
		}
		predicted = ans.Suggestions
	}
	return suggest.Resolve(art.Text, a, suggest.FromRegistry(art.Text, s.reg), suggest.FromPatterns(art.Text, s.pats), predicted), nil
}

// interruptible returns a context cancelled by ctrl+c, with errInterrupted
// as its cause.
func interruptible() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			cancel(errInterrupted)
		case <-done:
		}
	}()
	return ctx, func() { signal.Stop(sig); close(done); cancel(nil) }
}

// suggestionLine is one line of `suggest --json`: offsets in code points,
// as every exported offset.
type suggestionLine struct {
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Label      string  `json:"label"`
	Text       string  `json:"text"`
	Entity     string  `json:"entity"`
	Source     string  `json:"source"`
	ExternalID string  `json:"external_id,omitempty"`
	Score      float64 `json:"score"`
}

func runSuggest(e *env, args []string) error {
	fs := e.newFlags("suggest")
	var src suggestSources
	src.flags(fs)
	asJSON := fs.Bool("json", false, "one JSON object per line: start, end (code points), label, text, entity, source")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errUsage{"give one article id (annotate list shows them): annotate suggest ARTICLE-ID [--patterns FILE] [--suggest-url URL] [--json]"}
	}
	db, _, err := src.open(e)
	if err != nil {
		return err
	}
	defer db.Close()
	art, err := articleByID(db, rest[0])
	if err != nil {
		return err
	}
	a, err := db.Annotation(art.ID, e.annotator)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	sugs, err := src.find(ctx, e, art, &a)
	if err != nil {
		return err
	}
	index := model.NewRuneIndex(art.Text)
	if *asJSON {
		lw := formats.NewLineWriter(e.stdout)
		for _, s := range sugs {
			if err := lw.Write(suggestionLine{Start: index.Runes(s.Start), End: index.Runes(s.End), Label: s.Label, Text: s.Text,
				Entity: s.Entity, Source: s.Source, ExternalID: s.ExternalID, Score: s.Score}); err != nil {
				return err
			}
		}
		return lw.Flush()
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tEND\tLABEL\tSOURCE\tENTITY\tEXTERNAL ID\tTEXT")
	for _, s := range sugs {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", index.Runes(s.Start), index.Runes(s.End), termtext.Line(s.Label), s.Source,
			termtext.Line(s.Entity), termtext.Line(s.ExternalID), termtext.Line(s.Text))
	}
	if len(sugs) == 0 {
		fmt.Fprintln(tw, "(no suggestions: the registry, the patterns and the server know nothing more in this article)")
	}
	return tw.Flush()
}

func articleByID(db store.Store, id string) (model.Article, error) {
	art, err := db.Article(id)
	if errors.Is(err, store.ErrNotFound) {
		return art, fmt.Errorf("no article %q in the database: `annotate list` shows the ids", id)
	}
	return art, err
}

func runPretag(e *env, args []string) error {
	fs := e.newFlags("pretag")
	var src suggestSources
	src.flags(fs)
	all := fs.Bool("all", false, "every article")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if !flagSet(fs, "annotator") {
		return errUsage{"name the annotator whose annotations the suggestions become, such as --annotator patterns (not yourself by default)"}
	}
	if *all == (len(rest) > 0) {
		return errUsage{"give article ids or --all: annotate pretag --annotator NAME [--patterns FILE] [--suggest-url URL] --all | ARTICLE-ID..."}
	}
	db, schema, err := src.open(e)
	if err != nil {
		return err
	}
	defer db.Close()
	ids := rest
	if *all {
		err := db.Articles(func(s store.ArticleSummary) error { ids = append(ids, s.ID); return nil })
		if err != nil {
			return err
		}
	}
	ctx, stop := interruptible()
	defer stop()
	articles, spans := 0, 0
	for _, id := range ids {
		if ctx.Err() != nil {
			err = errInterrupted
			break
		}
		var n int
		if n, err = src.pretag(ctx, e, db, schema, id); err != nil {
			break
		}
		if n > 0 {
			articles++
			spans += n
		}
	}
	// Said even after a failure: what was written before it stays.
	fmt.Fprintf(e.stdout, "pretagged %d %s, %d %s as %s\n", articles, plural(articles, "article", "articles"), spans, plural(spans, "span", "spans"), termtext.Line(e.annotator))
	return err
}

// pretag writes one article's suggestions as the annotator's annotations
// (one saved change) and returns how many spans it added.
func (s *suggestSources) pretag(ctx context.Context, e *env, db store.Store, schema *model.Schema, id string) (int, error) {
	art, err := articleByID(db, id)
	if err != nil {
		return 0, err
	}
	a, err := db.Annotation(art.ID, e.annotator)
	if err != nil {
		return 0, err
	}
	if a.Schema == "" {
		a.Schema = schema.Name
	}
	sugs, err := s.find(ctx, e, art, &a)
	if err != nil {
		return 0, err
	}
	added := suggest.Accept(&a, art.Text, s.reg, sugs...)
	if len(added) == 0 {
		return 0, nil
	}
	if errs := model.Validate(&a, art.Text, schema); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, fe := range errs {
			msgs[i] = fe.Error()
		}
		return 0, fmt.Errorf("pretag article %s for %s: the annotation would break the schema's rules (%s); nothing of it was saved", art.ID, e.annotator, strings.Join(msgs, "; "))
	}
	if a.Status == "" || a.Status == model.StatusTodo {
		a.Status = model.StatusInProgress
	}
	if _, err := db.Save(a, fmt.Sprintf("pretag: %d %s from %s", len(added), plural(len(added), "suggestion", "suggestions"), sourcesOf(sugs))); err != nil {
		return 0, fmt.Errorf("pretag article %s: %w", art.ID, err)
	}
	return len(added), nil
}

// sourcesOf names the sources of suggestions, for the history.
func sourcesOf(sugs []suggest.Suggestion) string {
	var names []string
	for _, s := range sugs {
		if !slices.Contains(names, s.Source) {
			names = append(names, s.Source)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
