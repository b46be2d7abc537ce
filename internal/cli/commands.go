package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/termtext"
	"github.com/annotate-tool/annotate/samples"
)

// shortTitle is a title as a table shows it: made safe for the terminal
// and cut to n characters.
func shortTitle(title string, n int) string {
	t := termtext.Line(title)
	if r := []rune(t); len(r) > n {
		t = string(r[:n-1]) + "…"
	}
	return t
}

func writeJSONIndent(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// listEntry is one line of `list --json`.
type listEntry struct {
	ID       string                  `json:"id"`
	Title    string                  `json:"title"`
	Source   string                  `json:"source,omitempty"`
	Length   int                     `json:"length"`
	Status   model.Status            `json:"status"`
	Statuses map[string]model.Status `json:"statuses"`
	// Review is the review state of the annotator's own annotation
	// ("", returned, accepted); Reviews every annotator's that has one.
	Review     string            `json:"review"`
	Reviews    map[string]string `json:"reviews"`
	ImportedAt time.Time         `json:"imported_at"`
}

// withReview is a status as the list shows it: with the annotation's
// review state after a slash when it has one ("in_progress/returned").
func withReview(st model.Status, review string) string {
	if review == "" {
		return string(st)
	}
	return string(st) + "/" + termtext.Line(review)
}

func runList(e *env, args []string) error {
	fs := e.newFlags("list")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	status := fs.String("status", "", "only articles with this status (`S`: todo, in_progress, done, skipped) for the annotator")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if *status != "" && !model.Status(*status).Valid() {
		return errUsage{fmt.Sprintf("unknown --status %q: use todo, in_progress, done or skipped", *status)}
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	lw := formats.NewLineWriter(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintf(tw, "ID\tCHARS\tSTATUS (%s)\tOTHERS\tTITLE\n", termtext.Line(e.annotator))
	}
	n := 0
	err = db.Articles(func(s store.ArticleSummary) error {
		mine := s.Statuses[e.annotator]
		if mine == "" {
			mine = model.StatusTodo
		}
		if *status != "" && mine != model.Status(*status) {
			return nil
		}
		n++
		if *asJSON {
			st, reviews := s.Statuses, s.Reviews
			if st == nil {
				st = map[string]model.Status{}
			}
			if reviews == nil {
				reviews = map[string]string{}
			}
			return lw.Write(listEntry{ID: s.ID, Title: s.Title, Source: s.Source, Length: s.Length, Status: mine, Statuses: st,
				Review: s.Reviews[e.annotator], Reviews: reviews, ImportedAt: s.ImportedAt})
		}
		var others []string
		for who, st := range s.Statuses {
			if who != e.annotator {
				others = append(others, termtext.Line(who)+":"+withReview(st, s.Reviews[who]))
			}
		}
		sort.Strings(others)
		title := shortTitle(s.Title, 80)
		_, err := fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.ID, s.Length, withReview(mine, s.Reviews[e.annotator]), strings.Join(others, " "), title)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return lw.Flush()
	}
	if n == 0 {
		fmt.Fprintf(tw, "(no articles: import some with `annotate import PATH`)\n")
	}
	return tw.Flush()
}

func runStats(e *env, args []string) error {
	fs := e.newFlags("stats")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	perArticle := fs.Bool("per-article", false, "list each article with who finished it, who has it in progress and who holds it (overlap)")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	type annotatorStats struct {
		Status map[model.Status]int `json:"status"`
		// Review counts the annotator's articles by review state.
		Review    map[string]int `json:"review"`
		Labels    map[string]int `json:"labels"`
		Entities  int            `json:"entities"`
		Claims    int            `json:"claims"`
		Incidents int            `json:"incidents"`
	}
	out := struct {
		Articles     int                        `json:"articles"`
		Annotators   map[string]*annotatorStats `json:"annotators"`
		Labels       map[string]int             `json:"labels"`
		Adjudication adjudicationStats          `json:"adjudication"`
		Review       reviewStats                `json:"review"`
		Progress     progressStats              `json:"progress"`
	}{Annotators: map[string]*annotatorStats{}, Labels: map[string]int{}, Adjudication: newAdjudicationStats(), Review: newReviewStats()}
	claims := map[string][]store.Claim{}
	if as, ok := db.(store.Assigner); ok {
		err = as.Claims(func(c store.Claim) error {
			claims[c.ArticleID] = append(claims[c.ArticleID], c)
			out.Progress.Claims++
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := db.Articles(func(s store.ArticleSummary) error {
		out.Articles++
		out.Progress.add(s, claims[s.ID], *perArticle)
		return nil
	}); err != nil {
		return err
	}
	err = db.Each(store.Filter{}, func(r store.Record) error {
		out.Adjudication.add(r.Annotations)
		for _, a := range r.Annotations {
			st := out.Annotators[a.Annotator]
			if st == nil {
				st = &annotatorStats{Status: map[model.Status]int{}, Review: newReviewCounts(), Labels: map[string]int{}}
				out.Annotators[a.Annotator] = st
			}
			st.Status[a.Status]++
			if rs := store.ReviewState(&a); rs != model.ReviewNone {
				st.Review[rs]++
			}
			out.Review.add(&a)
			st.Entities += len(a.Entities)
			st.Claims += len(a.Claims)
			st.Incidents += len(a.Incidents)
			for _, s := range a.Entities {
				st.Labels[s.Label]++
				out.Labels[s.Label]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Articles an annotator never opened count as todo.
	for _, st := range out.Annotators {
		touched := 0
		for _, n := range st.Status {
			touched += n
		}
		st.Status[model.StatusTodo] += out.Articles - touched
	}
	if *asJSON {
		return writeJSONIndent(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "articles: %d\n", out.Articles)
	names := make([]string, 0, len(out.Annotators))
	for n := range out.Annotators {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		fmt.Fprintln(e.stdout, "no annotations yet")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if len(names) > 0 {
		fmt.Fprintln(tw, "\nANNOTATOR\tTODO\tIN PROGRESS\tDONE\tSKIPPED\tENTITIES\tCLAIMS\tINCIDENTS")
	}
	for _, n := range names {
		st := out.Annotators[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", termtext.Line(n), st.Status[model.StatusTodo], st.Status[model.StatusInProgress],
			st.Status[model.StatusDone], st.Status[model.StatusSkipped], st.Entities, st.Claims, st.Incidents)
	}
	if len(out.Labels) > 0 {
		labels := make([]string, 0, len(out.Labels))
		for l := range out.Labels {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		fmt.Fprint(tw, "\nLABEL")
		for _, n := range names {
			fmt.Fprintf(tw, "\t%s", termtext.Line(n))
		}
		fmt.Fprint(tw, "\tALL\n")
		for _, l := range labels {
			fmt.Fprintf(tw, "%s", termtext.Line(l))
			for _, n := range names {
				fmt.Fprintf(tw, "\t%d", out.Annotators[n].Labels[l])
			}
			fmt.Fprintf(tw, "\t%d\n", out.Labels[l])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(names) > 0 {
		out.Adjudication.print(e.stdout)
		out.Review.print(e.stdout)
		out.Progress.print(e.stdout)
	}
	return nil
}

// progressStats is how far the team has come article by article: how many
// annotators (gold aside) finished each one (done or skipped), and the
// claims held now (annotate serve --overlap); with --per-article, each
// article's line.
type progressStats struct {
	// FinishedBy maps a number of annotators to how many articles that
	// many finished.
	FinishedBy map[int]int       `json:"finished_by"`
	Claims     int               `json:"claims"`
	Articles   []articleProgress `json:"per_article,omitempty"`
}

type articleProgress struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Finished   []string      `json:"finished"`
	InProgress []string      `json:"in_progress"`
	Claims     []store.Claim `json:"claims"`
}

func (p *progressStats) add(s store.ArticleSummary, claims []store.Claim, each bool) {
	if p.FinishedBy == nil {
		p.FinishedBy = map[int]int{}
	}
	ap := articleProgress{ID: s.ID, Title: s.Title, Finished: []string{}, InProgress: []string{}, Claims: claims}
	for who, st := range s.Statuses {
		switch {
		case who == model.GoldAnnotator:
		case store.Finished(st):
			ap.Finished = append(ap.Finished, who)
		case st == model.StatusInProgress:
			ap.InProgress = append(ap.InProgress, who)
		}
	}
	p.FinishedBy[len(ap.Finished)]++
	if each {
		sort.Strings(ap.Finished)
		sort.Strings(ap.InProgress)
		if ap.Claims == nil {
			ap.Claims = []store.Claim{}
		}
		p.Articles = append(p.Articles, ap)
	}
}

func (p *progressStats) print(w io.Writer) {
	var ns []int
	for n := range p.FinishedBy {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprintf("%d by %d", p.FinishedBy[n], n))
	}
	fmt.Fprintf(w, "articles finished: %s; %d %s held now\n", strings.Join(parts, ", "), p.Claims, plural(p.Claims, "claim", "claims"))
	if len(p.Articles) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nID\tFINISHED\tIN PROGRESS\tHELD BY\tTITLE")
	names := func(l []string) string {
		if len(l) == 0 {
			return "-"
		}
		out := make([]string, len(l))
		for i, n := range l {
			out[i] = termtext.Line(n)
		}
		return strings.Join(out, ",")
	}
	for _, a := range p.Articles {
		var held []string
		for _, c := range a.Claims {
			held = append(held, c.Annotator+" until "+c.Expires.UTC().Format("15:04"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, names(a.Finished), names(a.InProgress), names(held), shortTitle(a.Title, 60))
	}
	tw.Flush()
}

// adjudicationStats is how far review has come: the articles two or more
// annotators (other than gold) annotated, how many of them have a gold
// annotation, the gold annotations and how many are done, and the review
// decisions recorded in them by kind.
type adjudicationStats struct {
	Articles  int            `json:"articles_to_adjudicate"`
	WithGold  int            `json:"with_gold"`
	Gold      int            `json:"gold"`
	GoldDone  int            `json:"gold_done"`
	Decisions map[string]int `json:"decisions"`
}

// decisionKinds are the kinds of review decision, in the order stats
// prints them.
var decisionKinds = []string{model.DecisionAccepted, model.DecisionTaken, model.DecisionBoth, model.DecisionRejected, model.DecisionEdited}

func newAdjudicationStats() adjudicationStats {
	d := map[string]int{}
	for _, k := range decisionKinds {
		d[k] = 0
	}
	return adjudicationStats{Decisions: d}
}

func (s *adjudicationStats) add(anns []model.Annotation) {
	annotators := 0
	var gold *model.Annotation
	for i, a := range anns {
		if a.Annotator == model.GoldAnnotator {
			gold = &anns[i]
		} else {
			annotators++
		}
	}
	if gold != nil {
		s.Gold++
		if gold.Status == model.StatusDone {
			s.GoldDone++
		}
		for _, d := range gold.Decisions {
			s.Decisions[d.Kind]++
		}
	}
	if annotators >= 2 {
		s.Articles++
		if gold != nil {
			s.WithGold++
		}
	}
}

func (s adjudicationStats) print(w io.Writer) {
	fmt.Fprintf(w, "\nadjudication: %d %s with 2 or more annotators, %d with a gold annotation; %d gold %s, %d done\n",
		s.Articles, plural(s.Articles, "article", "articles"), s.WithGold, s.Gold, plural(s.Gold, "annotation", "annotations"), s.GoldDone)
	var parts []string
	for _, k := range decisionKinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.Decisions[k]))
	}
	var other []string
	for k, n := range s.Decisions {
		if !slices.Contains(decisionKinds, k) {
			other = append(other, fmt.Sprintf("%s %d", termtext.Line(k), n))
		}
	}
	sort.Strings(other)
	fmt.Fprintf(w, "decisions: %s\n", strings.Join(append(parts, other...), ", "))
}

// reviewStates are the review states stats counts, in the order it prints
// them (model.ReviewStates but none).
var reviewStates = []string{model.ReviewReturned, model.ReviewAccepted}

// newReviewCounts is a count per review state, each state there at 0.
func newReviewCounts() map[string]int {
	c := map[string]int{}
	for _, st := range reviewStates {
		c[st] = 0
	}
	return c
}

// reviewStats is how far review of single annotators' work has come (one
// coder, one reviewer): the articles (one annotator's annotation each) by
// review state, and by reviewer and state.
type reviewStats struct {
	States    map[string]int            `json:"states"`
	Reviewers map[string]map[string]int `json:"reviewers"`
}

func newReviewStats() reviewStats {
	return reviewStats{States: newReviewCounts(), Reviewers: map[string]map[string]int{}}
}

func (s *reviewStats) add(a *model.Annotation) {
	st := store.ReviewState(a)
	if st == model.ReviewNone {
		return
	}
	s.States[st]++
	r := s.Reviewers[a.Review.By]
	if r == nil {
		r = newReviewCounts()
		s.Reviewers[a.Review.By] = r
	}
	r[st]++
}

// counts says "2 returned, 5 accepted", other states (none valid) after.
func (reviewStats) counts(c map[string]int) string {
	var parts []string
	for _, st := range reviewStates {
		parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
	}
	var other []string
	for st, n := range c {
		if !slices.Contains(reviewStates, st) {
			other = append(other, fmt.Sprintf("%d %s", n, termtext.Line(st)))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

func (s reviewStats) print(w io.Writer) {
	fmt.Fprintf(w, "\nreview: %s\n", s.counts(s.States))
	names := make([]string, 0, len(s.Reviewers))
	for n := range s.Reviewers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		who := termtext.Line(n)
		if who == "" {
			who = "(no reviewer named)"
		}
		fmt.Fprintf(w, "  by %s: %s\n", who, s.counts(s.Reviewers[n]))
	}
}

// CheckInChild makes `check` run bbolt's consistency check in a child
// process. bbolt's check reads pages at offsets taken from the file itself
// and, on some damaged pages, faults in a way no recover can catch; in a
// child, that crash becomes a clear verdict instead of a stack dump. The
// command sets it; tests calling Main leave it off.
var CheckInChild = false

func runCheck(e *env, args []string) error {
	fs := e.newFlags("check")
	child := fs.Bool("in-child", false, "internal: this process is the child of annotate check")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if CheckInChild && !*child {
		return checkInChild(e, args)
	}
	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := db.Check()
	if err != nil {
		return err
	}
	annotations := 0
	// The model's rules are checked even when the store found problems
	// (a registry link to nothing is one): a damaged page makes Each fail,
	// which is then one more problem, and a crash is caught by the child.
	err = db.Each(store.Filter{}, func(r store.Record) error {
		for _, a := range r.Annotations {
			annotations++
			for _, fe := range model.Validate(&a, r.Article.Text, schema) {
				problems = append(problems, fmt.Sprintf("article %s, annotator %s: %v", r.Article.ID, a.Annotator, fe))
			}
		}
		return nil
	})
	if err != nil && !(errors.Is(err, bolt.ErrDamaged) && len(problems) > 0) {
		// (Damage the store's check listed stops Each too: said once.)
		problems = append(problems, err.Error())
	}
	// A range outside its text is found by the model's rules and, on
	// PostgreSQL, by the store's check in the same words: said once.
	seen := map[string]bool{}
	problems = slices.DeleteFunc(problems, func(p string) bool {
		dup := seen[p]
		seen[p] = true
		return dup
	})
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "annotate: check %s: %s\n", e.location(), termtext.Line(oneLine(p)))
		}
		fmt.Fprintf(e.stderr, "annotate: check found %d %s in %s: restore it from a backup, or fix the annotations named\n", len(problems), plural(len(problems), "problem", "problems"), e.location())
		return errSilent{}
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d annotations checked)\n", e.location(), annotations)
	return nil
}

func checkInChild(e *env, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, append([]string{"check", "--in-child", "--db", e.dbPath, "--annotator", e.annotator}, args...)...)
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	cmd.Env = os.Environ()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		fmt.Fprint(e.stderr, stderr.String())
		return errSilent{}
	case errors.As(err, &exit):
		// Killed by a signal, or a Go runtime fault (exit 2): the check
		// crashed reading the file.
		return fmt.Errorf("database %s is damaged: the consistency check crashed reading it (%v); restore it from a backup", e.dbPath, exit)
	}
	return err
}

func runHistory(e *env, args []string) error {
	fs := e.newFlags("history")
	every := fs.Bool("everyone", false, "show every annotator's changes, not only yours")
	registry := fs.Bool("registry", false, "show the changes to the entity registry instead")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return errUsage{fmt.Sprintf("history takes at most one ARTICLE-ID, got %d arguments", len(rest))}
	}
	if *registry && (len(rest) > 0 || *every) {
		return errUsage{"--registry shows the registry's changes, everyone's: it takes no ARTICLE-ID or --everyone"}
	}
	article := ""
	if len(rest) > 0 {
		article = rest[0]
	}
	if *every || *registry {
		e.uses = annotatorUnused // everyone's changes: the annotator is not read
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	if *registry {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tWHO\tENTRY\tCHANGE")
		err := db.RegistryHistory(func(c store.RegistryChange) error {
			_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Time.Local().Format("2006-01-02 15:04:05"), termtext.Line(c.Who), termtext.Line(c.Entry), termtext.Line(c.Action))
			return err
		})
		if err != nil {
			return err
		}
		return tw.Flush()
	}
	who := e.annotator
	if *every {
		who = ""
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tANNOTATOR\tARTICLE\tCHANGE")
	err = db.History(article, who, func(h store.HistoryEntry) error {
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Time.Local().Format("2006-01-02 15:04:05"), termtext.Line(h.Annotator), h.ArticleID, termtext.Line(h.Action))
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func runDemo(e *env, args []string) error {
	fs := e.newFlags("demo")
	listOnly := fs.Bool("list", false, "import the samples and list them instead of opening the screen")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if !flagSet(fs, "db") {
		dir, err := os.MkdirTemp("", "annotate-demo-")
		if err != nil {
			return err
		}
		e.dbPath = filepath.Join(dir, "demo.db")
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	var arts []model.Article
	for _, s := range samples.All() {
		arts = append(arts, model.Article{ID: model.ArticleID(s.Text), Text: s.Text, Title: model.TitleFromText(s.Text),
			Source: "annotate samples", ImportedFrom: "samples/" + s.Name, ImportedAt: time.Now().UTC(), ImportedBy: e.annotator})
	}
	if _, err := db.AddArticles(arts); err != nil {
		return err
	}
	if *listOnly || !e.interactive {
		fmt.Fprintf(e.stdout, "demo database: %s\n\n", e.dbPath)
		return runList(e, []string{"--db", e.dbPath, "--annotator", e.annotator})
	}
	err = openScreen(e, db, nil)
	exe, _ := os.Executable()
	cmd := invocation(exe, exec.LookPath)
	fmt.Fprintf(e.stderr, "The demo database is kept at %s\nOpen it again with: %s --db %s\n", e.dbPath, cmd, shellQuote(e.dbPath))
	return err
}

// invocation is how the user can run this program again from where they
// stand: "annotate" when that name on PATH is this program, "go run
// ./cmd/annotate" when it was built by go run (a temporary binary), else
// the program's own path.
func invocation(exe string, lookPath func(string) (string, error)) string {
	if exe == "" {
		return "annotate"
	}
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/annotate"
	}
	if p, err := lookPath("annotate"); err == nil {
		a, errA := filepath.EvalSymlinks(p)
		b, errB := filepath.EvalSymlinks(exe)
		if errA == nil && errB == nil && a == b {
			return "annotate"
		}
	}
	return shellQuote(exe)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == '+' || r == ':' || r == '@' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
