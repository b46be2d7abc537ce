package cli

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/annotate-tool/annotate/internal/agree"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

const agreeUsage = "annotate agree [--annotators a,b,...] [--against gold] [--per-doc] [--date-window DAYS] [--json]"

// Krippendorff's floors: alpha >= .800 reliable, >= .667 tentative.
const (
	floorReliable  = 0.800
	floorTentative = 0.667
)

// runAgree reports agreement between annotators, or of each annotator
// against a reference (gold): spans, entity grouping, incident fields,
// claim attributes and source grades (internal/agree does the work).
func runAgree(e *env, args []string) error {
	fs := e.newFlags("agree")
	annotators := fs.String("annotators", "", "the annotators to compare, comma-separated (`a,b,...`) (default: every annotator except gold)")
	against := fs.String("against", "", "score each annotator against this one (`NAME`) (gold: the adjudicated versions)")
	perDoc := fs.Bool("per-doc", false, "also the mean of per-document span F1, and every document in the text report")
	window := fs.Int("date-window", agree.DefaultDateWindow, "how many days (`DAYS`) two incidents' dates may be apart and still align")
	asJSON := fs.Bool("json", false, "print one JSON object")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errUsage{fmt.Sprintf("unexpected argument %q: usage: %s", rest[0], agreeUsage)}
	}
	if *window < 0 {
		return errUsage{fmt.Sprintf("--date-window %d: give a number of days, 0 or more", *window)}
	}
	var names []string
	if *annotators != "" {
		for _, n := range strings.Split(*annotators, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				return errUsage{fmt.Sprintf("--annotators %q has an empty name: separate names with commas", *annotators)}
			}
			if slices.Contains(names, n) {
				return errUsage{fmt.Sprintf("--annotators names %q twice", n)}
			}
			names = append(names, n)
		}
	}
	ref := strings.TrimSpace(*against)
	if ref != "" && slices.Contains(names, ref) {
		return errUsage{fmt.Sprintf("--against %s is also in --annotators: an annotator is not compared with itself", ref)}
	}

	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()

	// Who annotated what, from the summaries (no annotation is read yet).
	present := map[string]int{}
	err = db.Articles(func(s store.ArticleSummary) error {
		for who := range s.Statuses {
			present[who]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	known := make([]string, 0, len(present))
	for who := range present {
		known = append(known, who)
	}
	sort.Strings(known)
	knownList := strings.Join(mapNames(known), ", ")
	if knownList == "" {
		knownList = "none yet"
	}
	if names == nil {
		for _, who := range known {
			if who != model.GoldAnnotator && who != ref {
				names = append(names, who)
			}
		}
	}
	for _, n := range append(slices.Clone(names), ref) {
		if n != "" && present[n] == 0 {
			return fmt.Errorf("agree: annotator %q has annotated no article (annotators in %s: %s)", termtext.Line(n), e.location(), knownList)
		}
	}
	switch {
	case ref == "" && len(names) < 2:
		return fmt.Errorf("agree: needs two or more annotators, found %d (annotators in %s: %s); name them with --annotators a,b or score one against gold with --against gold",
			len(names), e.location(), knownList)
	case ref != "" && len(names) == 0:
		return fmt.Errorf("agree: no annotator to score against %s (annotators in %s: %s)", termtext.Line(ref), e.location(), knownList)
	}

	opts := agree.DefaultAlignOptions()
	opts.DateWindow = *window
	var (
		pooled *agree.Study
		each   []*agree.Study
	)
	if ref == "" {
		pooled = agree.NewStudy(names, schema, opts)
	} else {
		pooled = agree.NewStudy([]string{"annotators", ref}, schema, opts)
		for _, n := range names {
			each = append(each, agree.NewStudy([]string{n, ref}, schema, opts))
		}
	}
	titles := map[string]string{}
	err = db.Each(store.Filter{All: true}, func(rec store.Record) error {
		by := make(map[string]*model.Annotation, len(rec.Annotations))
		for i := range rec.Annotations {
			by[rec.Annotations[i].Annotator] = &rec.Annotations[i]
		}
		id, text := rec.Article.ID, rec.Article.Text
		if ref == "" {
			anns := make([]*model.Annotation, len(names))
			for c, n := range names {
				anns[c] = by[n]
			}
			pooled.Add(id, text, anns)
		} else {
			for k, n := range names {
				pair := []*model.Annotation{by[n], by[ref]}
				each[k].Add(id, text, pair)
				pooled.Add(id, text, pair)
			}
		}
		titles[id] = rec.Article.Title
		return nil
	})
	if err != nil {
		return err
	}
	report := pooled.Report(*perDoc)
	if ref != "" {
		report.Annotators = slices.Clone(names)
		report.Against = ref
		report.Method.Kappa = "against " + ref + ": each annotator and " + ref + " are two coders; the top-level figures pool every annotator's units against " + ref + " (a unit is an aligned item x annotator), by_annotator gives each annotator's own; precision counts against the annotator's spans, recall against " + ref + "'s"
		report.ByAnnotator = map[string]*agree.Report{}
		for k, n := range names {
			report.ByAnnotator[n] = each[k].Report(*perDoc)
		}
	}
	if *asJSON {
		return writeJSONIndent(e.stdout, report)
	}
	return writeAgreeText(e.stdout, report, titles, *perDoc)
}

func mapNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = termtext.Line(n)
	}
	return out
}

// mark formats a coefficient with three decimals and a mark that is not
// only colour: "!" below .667, "~" below .800; "-" when undefined.
func mark(x agree.Float) string {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	s := fmt.Sprintf("%.3f", f)
	switch {
	case f < floorTentative:
		return s + "!"
	case f < floorReliable:
		return s + "~"
	}
	return s + " "
}

func markPtr(x *agree.Float) string {
	if x == nil {
		return ""
	}
	return mark(*x)
}

func writeAgreeText(w io.Writer, r *agree.Report, titles map[string]string, perDoc bool) error {
	var b strings.Builder
	who := strings.Join(mapNames(r.Annotators), ", ")
	// The articles compared (two annotators of a pair both annotated
	// them) are the ones every figure rests on; the annotated ones and
	// the total follow.
	compared := fmt.Sprintf("%d %s", r.ArticlesCompared, plural(r.ArticlesCompared, "article", "articles"))
	switch {
	case r.Against != "" && len(r.Annotators) == 1:
		fmt.Fprintf(&b, "Agreement of %s against %s on %s both annotated (%d annotated by either, %d in all)\n",
			who, termtext.Line(r.Against), compared, r.ArticlesAnnotated, r.Articles)
	case r.Against != "":
		ref := termtext.Line(r.Against)
		fmt.Fprintf(&b, "Agreement of %s against %s on %s %s and an annotator both annotated (%d annotated by any, %d in all)\n",
			who, ref, compared, ref, r.ArticlesAnnotated, r.Articles)
	case len(r.Annotators) == 2:
		fmt.Fprintf(&b, "Agreement of %s on %s both annotated (%d annotated by either, %d in all)\n", who, compared, r.ArticlesAnnotated, r.Articles)
	default:
		fmt.Fprintf(&b, "Agreement of %s on %s two or more of them annotated (%d annotated by any, %d in all)\n", who, compared, r.ArticlesAnnotated, r.Articles)
	}
	b.WriteString("Figures pooled over all units unless said; ! below 0.667, ~ below 0.800 (Krippendorff's floors); - undefined (see --json for why).\n")
	writeReportText(&b, r, perDoc)
	if r.Against != "" {
		for _, n := range r.Annotators {
			fmt.Fprintf(&b, "\n== %s against %s ==\n", termtext.Line(n), termtext.Line(r.Against))
			writeReportText(&b, r.ByAnnotator[n], perDoc)
		}
	}

	limit := 10
	if perDoc {
		limit = len(r.Documents)
	}
	shown := 0
	var docs strings.Builder
	tw := tabwriter.NewWriter(&docs, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tDISAGREEMENTS\tSPANS\tITEMS\tVALUES\tF1\tTITLE")
	for _, d := range r.Documents {
		if shown == limit || (!perDoc && d.Disagreements == 0) {
			break
		}
		shown++
		title := termtext.Line(titles[d.ID])
		if rs := []rune(title); len(rs) > 60 {
			title = string(rs[:59]) + "…"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t%s\n", d.ID, d.Disagreements, d.Spans, d.Items, d.Values, strings.TrimSpace(mark(d.F1Strict)), title)
	}
	tw.Flush()
	switch {
	case shown == 0:
		b.WriteString("\nDocuments: no disagreements.\n")
	case perDoc:
		b.WriteString("\nDocuments, most disagreement first:\n")
		b.WriteString(docs.String())
	default:
		fmt.Fprintf(&b, "\nDocuments with most disagreement (%d of %d; --per-doc lists all):\n", shown, len(r.Documents))
		b.WriteString(docs.String())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// perDocumentMean says the mean of per-document F1 and what it averaged
// over: one F1 per article and pair of annotators who both annotated it
// (an article-pair), where either marked a span.
func perDocumentMean(m agree.SpanFigures) string {
	if m.MeanDocuments == 0 {
		return "- (" + termtext.Line(m.Reasons["mean_per_document_f1_strict"]) + ")"
	}
	figures := fmt.Sprintf("strict %s, overlap %s", strings.TrimSpace(mark(*m.MeanF1Strict)), strings.TrimSpace(mark(*m.MeanF1Overlap)))
	switch n := m.MeanDocuments; {
	case m.MeanPairs == 1:
		return fmt.Sprintf("%s, averaged over %d %s", figures, n, plural(n, "article", "articles"))
	case n == m.MeanArticles*m.MeanPairs:
		return fmt.Sprintf("%s, averaged over %d article-pairs (%d %s x %d annotator pairs)", figures, n,
			m.MeanArticles, plural(m.MeanArticles, "article", "articles"), m.MeanPairs)
	default:
		return fmt.Sprintf("%s, averaged over %d article-pairs (an article and a pair of annotators who both annotated it, where either marked a span; from %d %s and %d annotator pairs)",
			figures, n, m.MeanArticles, plural(m.MeanArticles, "article", "articles"), m.MeanPairs)
	}
}

func writeReportText(b *strings.Builder, r *agree.Report, perDoc bool) {
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', tabwriter.AlignRight)
	switch {
	case r.Against != "":
		fmt.Fprintf(b, "\nEntities (spans): precision against the annotators' spans, recall against %s's\n", termtext.Line(r.Against))
	case len(r.Annotators) == 2:
		fmt.Fprintf(b, "\nEntities (spans): precision against %s's spans, recall against %s's\n", termtext.Line(r.Annotators[0]), termtext.Line(r.Annotators[1]))
	default:
		fmt.Fprintln(b, "\nEntities (spans): F1 pooled over every pair of annotators")
	}
	fmt.Fprintln(tw, "LABEL\tn\tP\tR\tF1 strict\tF1 overlap\talpha_u\tonly A\tonly B\tother label\t")
	labels := make([]string, 0, len(r.Entities))
	for l := range r.Entities {
		if l != "micro" {
			labels = append(labels, l)
		}
	}
	sort.Strings(labels)
	for _, l := range append(labels, "micro") {
		f := r.Entities[l]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n", termtext.Line(l), f.N, mark(f.Precision), mark(f.Recall),
			mark(f.F1Strict), mark(f.F1Overlap), markPtr(f.AlphaU), f.OnlyA, f.OnlyB, f.OtherLabel)
	}
	tw.Flush()
	fmt.Fprintln(b, "other label: spans of both sides (A's and B's) aligned with a span of another label, each under its own label")
	if m := r.Entities["micro"]; perDoc && m.MeanF1Strict != nil {
		fmt.Fprintf(b, "Mean of per-document micro F1 (not pooled): %s\n", perDocumentMean(m))
	}
	g := r.EntityGrouping
	fmt.Fprintf(b, "Entity grouping (pairwise link F1, n = %d links): P %s R %s F1 %s\n", g.N,
		strings.TrimSpace(mark(g.Precision)), strings.TrimSpace(mark(g.Recall)), strings.TrimSpace(mark(g.F1)))

	for _, sec := range []struct {
		title, prefix string
		data          map[string]agree.Coefficients
	}{{"Incident fields", "", r.Fields}, {"Claims", "claims.", r.Claims}, {"Sources", "sources.", r.Sources}} {
		names := make([]string, 0, len(sec.data))
		empty := 0
		for n, c := range sec.data {
			if c.N == 0 {
				empty++
				continue
			}
			names = append(names, n)
		}
		sort.Strings(names)
		item := map[string]string{"Incident fields": "incidents", "Claims": "claims", "Sources": "sources"}[sec.title]
		ic := r.Items[item]
		fmt.Fprintf(b, "\n%s (%d aligned: %d by every annotator, %d by only some)\n", sec.title, ic.Groups, ic.All, ic.Some)
		if len(names) == 0 {
			fmt.Fprintln(b, "  no field has values from two annotators")
			continue
		}
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "FIELD\tlevel\tn\tkappa\tpi\tfleiss\talpha\tac1\texact\tnominal\tordinal\tinterval\tratio\t")
		for _, n := range names {
			c := sec.data[n]
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", termtext.Line(sec.prefix+n), c.Level, c.N,
				mark(c.Kappa), mark(c.Pi), mark(c.Fleiss), mark(c.Alpha), mark(c.AC1), mark(c.Exact),
				markPtr(c.AlphaNominal), markPtr(c.AlphaOrdinal), markPtr(c.AlphaInterval), markPtr(c.AlphaRatio))
		}
		tw.Flush()
		if empty > 0 {
			fmt.Fprintf(b, "  (%d %s without values from two annotators left out)\n", empty, plural(empty, "field", "fields"))
		}
	}
	fmt.Fprintf(b, "\n%s\n", r.Method.Kappa)
}
