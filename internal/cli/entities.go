package cli

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// listFlag is a flag that may be given several times (--alias A --alias B).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

const entitiesUsage = "annotate entities [--json] | add NAME --label L [--alias A]... [--id scheme:id]... | merge A B | rename A NEW-NAME | alias A NAME | confirm A | shared [on|off]"

// entitiesUsageLines are its forms, one a line, for its help.
var entitiesUsageLines = []string{
	"annotate entities [--json]",
	"annotate entities add NAME --label L [--alias A]... [--id scheme:id]...",
	"annotate entities confirm A",
	"annotate entities shared [on|off]",
	"annotate entities merge A B",
	"annotate entities rename A NEW-NAME",
	"annotate entities alias A NAME",
}

// runEntities lists the entity registry or changes it.
func runEntities(e *env, args []string) error {
	fs := e.newFlags("entities")
	asJSON := fs.Bool("json", false, "list: one JSON object per line")
	label := fs.String("label", "", "add: the entity's label `L` (ORG, PER, GPE, ...)")
	var aliases, ids listFlag
	fs.Var(&aliases, "alias", "add: another name (`A`) it goes by (repeatable)")
	fs.Var(&ids, "id", "add: an external id, `scheme:id` such as wikidata:Q1325475 (repeatable)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	addOnly := flagSet(fs, "label") || len(aliases) > 0 || len(ids) > 0
	if addOnly && sub != "add" {
		return errUsage{"--label, --alias and --id go with `entities add`: " + entitiesUsage}
	}
	if *asJSON && sub != "" {
		return errUsage{"--json goes with the listing (`annotate entities --json`), not with " + sub}
	}
	want := map[string]int{"": 0, "add": 1, "merge": 2, "rename": 2, "alias": 2, "confirm": 1, "shared": 1}
	n, known := want[sub]
	if !known {
		return errUsage{fmt.Sprintf("unknown entities command %q: %s", sub, entitiesUsage)}
	}
	if sub == "shared" && len(rest) == 0 {
		n = 0 // it says which it is
	}
	if sub == "shared" && len(rest) == 1 && rest[0] != "on" && rest[0] != "off" {
		return errUsage{fmt.Sprintf("entities shared takes on or off, not %s: %s", quoted(rest[0]), entitiesUsage)}
	}
	if len(rest) != n {
		return errUsage{fmt.Sprintf("entities %s takes %d %s, got %d: %s", sub, n, plural(n, "argument", "arguments"), len(rest), entitiesUsage)}
	}
	if sub != "" {
		e.uses = annotatorWrites // a change to the registry, in the annotator's name
	}
	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "":
		return listEntities(e, db, *asJSON)
	case "add":
		if *label == "" {
			return errUsage{"entities add needs --label: " + labelNames(schema)}
		}
		if _, ok := schema.Label(*label); !ok {
			return errUsage{fmt.Sprintf("unknown --label %q: %s", *label, labelNames(schema))}
		}
		if !schema.KeepsInRegistry(*label) {
			return errUsage{fmt.Sprintf("the schema keeps %s out of the registry (it keeps %s): mark the label \"registry\": true in your schema (annotate schema prints it) to keep it", termtext.Line(*label), strings.Join(schema.RegistryLabels(), ", "))}
		}
		return addEntry(e, db, model.RegistryEntry{Name: rest[0], Label: *label, Aliases: aliases, ExternalIDs: ids})
	case "shared":
		return setShared(e, db, schema, rest)
	}

	var entries []model.RegistryEntry
	if err := db.Registry(func(r model.RegistryEntry) error { entries = append(entries, r); return nil }); err != nil {
		return err
	}
	target, err := findEntry(entries, rest[0])
	if err != nil {
		return fmt.Errorf("entities %s: %w", sub, err)
	}
	switch sub {
	case "confirm":
		saved, changed, err := store.ConfirmRegistry(db, target.ID, e.annotator)
		if err != nil {
			return fmt.Errorf("entities confirm %s: %w", target.ID, err)
		}
		if !changed {
			fmt.Fprintf(e.stdout, "%s %s is everyone's already (%s) and has no pending alias: nothing to confirm\n", saved.ID, quoted(saved.Name), describeOrigin(saved))
			return nil
		}
		fmt.Fprintf(e.stdout, "confirmed %s %s %s: suggested to every annotator\n", saved.ID, saved.Label, describeEntry(saved))
		return nil
	case "merge":
		from, err := findEntry(entries, rest[1])
		if err != nil {
			return fmt.Errorf("entities merge: %w", err)
		}
		if from.ID == target.ID {
			return fmt.Errorf("entities merge: %q and %q are both %s: name two entries", termtext.Line(rest[0]), termtext.Line(rest[1]), target.ID)
		}
		if from.Label != target.Label {
			return fmt.Errorf("entities merge: %s is %s and %s is %s: only entries of one label merge (add the entity again under the right label, then merge)", target.ID, target.Label, from.ID, from.Label)
		}
		relinked := 0
		err = db.Each(store.Filter{}, func(r store.Record) error {
			for _, a := range r.Annotations {
				for _, ent := range a.Referents {
					if ent.Registry == from.ID {
						relinked++
						break
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		merged, err := db.MergeRegistry(target.ID, from.ID, e.annotator)
		if err != nil {
			return fmt.Errorf("entities merge %s into %s: %w", from.ID, target.ID, err)
		}
		fmt.Fprintf(e.stdout, "merged %s %s into %s %s; %d %s relinked (each undoable by its annotator)\n",
			from.ID, quoted(from.Name), merged.ID, describeEntry(merged), relinked, plural(relinked, "annotation", "annotations"))
		return nil
	case "rename":
		name := strings.TrimSpace(rest[1])
		if name == target.Name {
			return fmt.Errorf("entities rename: %s is already named %s", target.ID, quoted(name))
		}
		old := target.Name
		changed := target
		changed.Name = name
		changed.Aliases = append(append([]string(nil), target.Aliases...), old)
		saved, err := db.SaveRegistry(changed, e.annotator, fmt.Sprintf("rename %q to %q", old, name))
		if err != nil {
			return fmt.Errorf("entities rename %s: %w", target.ID, err)
		}
		fmt.Fprintf(e.stdout, "renamed %s %s to %s\n", saved.ID, quoted(old), describeEntry(saved))
		return nil
	default: // alias
		name := strings.TrimSpace(rest[1])
		for _, n := range target.Names() {
			if model.NameKey(n) == model.NameKey(name) && name != "" {
				return fmt.Errorf("entities alias: %s %s already goes by %s", target.ID, quoted(target.Name), quoted(n))
			}
		}
		changed := target
		changed.AddAlias(name)
		saved, err := db.SaveRegistry(changed, e.annotator, fmt.Sprintf("alias %q", name))
		if err != nil {
			return fmt.Errorf("entities alias %s: %w", target.ID, err)
		}
		fmt.Fprintf(e.stdout, "%s %s\n", saved.ID, describeEntry(saved))
		return nil
	}
}

// addEntry adds an entry on purpose (OriginAdded, by the annotator), so it
// is suggested to everyone. When an entry one annotator's own tagging or
// linking made already goes by the name, that entry is the one meant: it
// becomes everyone's, with the aliases and ids given, rather than a second
// entry of one actor being refused.
func addEntry(e *env, db store.Store, entry model.RegistryEntry) error {
	var all []model.RegistryEntry
	if err := db.Registry(func(r model.RegistryEntry) error { all = append(all, r); return nil }); err != nil {
		return err
	}
	entry.Origin, entry.By = model.OriginAdded, e.annotator
	if other, name := store.RegistryNameTaken(all, entry); name != "" && !other.Curated() {
		was := describeOrigin(other)
		saved, _, err := store.ChangeRegistry(db, other.ID, e.annotator, "add (was "+was+")", func(r *model.RegistryEntry) bool {
			r.Curate(model.OriginAdded, e.annotator)
			for _, a := range entry.Aliases {
				r.AddAlias(a)
			}
			r.ExternalIDs = append(slices.Clone(r.ExternalIDs), entry.ExternalIDs...)
			return true
		})
		if err != nil {
			return fmt.Errorf("entities add %s: %w", quoted(entry.Name), err)
		}
		fmt.Fprintf(e.stdout, "added %s %s %s (it was %s: now everyone's)\n", saved.ID, saved.Label, describeEntry(saved), termtext.Line(was))
		return nil
	}
	saved, err := db.SaveRegistry(entry, e.annotator, "add")
	if err != nil {
		return fmt.Errorf("entities add %s: %w", quoted(entry.Name), err)
	}
	fmt.Fprintf(e.stdout, "added %s %s %s\n", saved.ID, saved.Label, describeEntry(saved))
	return nil
}

// setShared says whether the registry is shared, or turns it on or off:
// the setting is the stored schema's "registry": {"shared": ...}.
func setShared(e *env, db store.Store, schema *model.Schema, rest []string) error {
	describe := func(shared bool) string {
		if shared {
			return "shared: every annotator is offered every entry, alias and grade"
		}
		return "independent: what an annotator's own tagging or linking made is offered to that annotator only, until confirmed (annotate entities confirm) or added on purpose"
	}
	if len(rest) == 0 {
		fmt.Fprintf(e.stdout, "the registry is %s\n", describe(schema.RegistryShared()))
		return nil
	}
	on := rest[0] == "on"
	changed := *schema
	changed.Registry = &model.RegistrySettings{Shared: on}
	if err := db.SetSchema(&changed); err != nil {
		return fmt.Errorf("entities shared %s: %w", rest[0], err)
	}
	fmt.Fprintf(e.stdout, "the registry is now %s (kept with the database's schema)\n", describe(on))
	return nil
}

// describeOrigin says who made an entry and how, for people.
func describeOrigin(r model.RegistryEntry) string {
	switch {
	case r.Origin == "":
		return "kept from before origins were recorded"
	case !r.Curated():
		return fmt.Sprintf("%s by %s", r.Origin, termtext.Line(strings.Join(r.Makers, ", ")))
	}
	return fmt.Sprintf("%s by %s", r.Origin, termtext.Line(r.By))
}

// findEntry finds the entry ref names: its id, else the one entry with that
// canonical name, else the one with that alias (names compared by
// model.NameKey).
func findEntry(entries []model.RegistryEntry, ref string) (model.RegistryEntry, error) {
	for _, r := range entries {
		if r.ID == ref {
			return r, nil
		}
	}
	key := model.NameKey(ref)
	var byName, byAlias []model.RegistryEntry
	for _, r := range entries {
		if model.NameKey(r.Name) == key {
			byName = append(byName, r)
			continue
		}
		for _, a := range r.Aliases {
			if model.NameKey(a) == key {
				byAlias = append(byAlias, r)
				break
			}
		}
	}
	for _, found := range [][]model.RegistryEntry{byName, byAlias} {
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		var ids []string
		for _, r := range found {
			ids = append(ids, r.ID+" ("+r.Label+")")
		}
		return model.RegistryEntry{}, fmt.Errorf("%s names %s: use the id", quoted(ref), strings.Join(ids, " and "))
	}
	return model.RegistryEntry{}, fmt.Errorf("no registry entry is named %s: `annotate entities` lists them", quoted(ref))
}

// quoted is a name in quotes, safe for the terminal.
func quoted(s string) string { return strconv.Quote(termtext.Line(s)) }

// describeEntry is an entry's name with its aliases and external ids, for
// one line of output.
func describeEntry(r model.RegistryEntry) string {
	s := quoted(r.Name)
	if len(r.Aliases) > 0 {
		s += " (aliases: " + termtext.Line(strings.Join(r.Aliases, ", ")) + ")"
	}
	if len(r.ExternalIDs) > 0 {
		s += " [" + termtext.Line(strings.Join(r.ExternalIDs, ", ")) + "]"
	}
	return s
}

func labelNames(s *model.Schema) string {
	names := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		names[i] = l.Name
	}
	return "use one of the schema's labels: " + strings.Join(names, ", ")
}

// entityMentions is how often one article's annotator mentions an entry.
type entityMentions struct {
	Article   string `json:"article"`
	Annotator string `json:"annotator"`
	Count     int    `json:"count"`
}

// entityLine is one line of `entities --json`.
type entityLine struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	Label          string                `json:"label"`
	Aliases        []string              `json:"aliases"`
	ExternalIDs    []string              `json:"external_ids"`
	Origin         string                `json:"origin"`
	By             string                `json:"by"`
	Makers         []string              `json:"makers"`
	PendingAliases []model.RegistryAlias `json:"pending_aliases"`
	Mentions       []entityMentions      `json:"mentions"`
	Grades         map[string]string     `json:"grades"`
	Grade          *model.RegistryGrade  `json:"grade"`
}

// listEntities prints the registry with, for each entry, the mentions
// linked to it: spans whose entity links to the entry, counted per article
// and annotator over every stored annotation.
func listEntities(e *env, db store.Store, asJSON bool) error {
	var entries []model.RegistryEntry
	if err := db.Registry(func(r model.RegistryEntry) error { entries = append(entries, r); return nil }); err != nil {
		return err
	}
	type key struct{ article, annotator string }
	counts := map[string]map[key]int{}
	err := db.Each(store.Filter{}, func(r store.Record) error {
		for _, a := range r.Annotations {
			registry := map[string]string{}
			for _, ent := range a.Referents {
				if ent.Registry != "" {
					registry[ent.ID] = ent.Registry
				}
			}
			for _, s := range a.Entities {
				reg, ok := registry[s.Entity]
				if !ok {
					continue
				}
				if counts[reg] == nil {
					counts[reg] = map[key]int{}
				}
				counts[reg][key{r.Article.ID, a.Annotator}]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	mentions := func(id string) []entityMentions {
		out := []entityMentions{}
		for k, n := range counts[id] {
			out = append(out, entityMentions{Article: k.article, Annotator: k.annotator, Count: n})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Article != out[j].Article {
				return out[i].Article < out[j].Article
			}
			return out[i].Annotator < out[j].Annotator
		})
		return out
	}
	if asJSON {
		lw := formats.NewLineWriter(e.stdout)
		for _, r := range entries {
			line := entityLine{ID: r.ID, Name: r.Name, Label: r.Label, Aliases: r.Aliases, ExternalIDs: r.ExternalIDs,
				Origin: r.Origin, By: r.By, Makers: r.Makers, PendingAliases: r.PendingAliases,
				Mentions: mentions(r.ID), Grades: map[string]string{}, Grade: r.LastGrade()}
			for who, g := range r.Grades {
				line.Grades[who] = g.Reliability
			}
			// Lists are [] rather than null, for scripts.
			for _, l := range []*[]string{&line.Aliases, &line.ExternalIDs, &line.Makers} {
				if *l == nil {
					*l = []string{}
				}
			}
			if line.PendingAliases == nil {
				line.PendingAliases = []model.RegistryAlias{}
			}
			if err := lw.Write(line); err != nil {
				return err
			}
		}
		return lw.Flush()
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "(the registry is empty: add an entity with `annotate entities add NAME --label L`, or link one on the screen)")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tNAME\tALIASES\tEXTERNAL IDS\tORIGIN\tMENTIONS\tBY ANNOTATOR\tGRADES")
	for _, r := range entries {
		ms := mentions(r.ID)
		total := 0
		articles := map[string]bool{}
		by := map[string]int{}
		for _, m := range ms {
			total += m.Count
			articles[m.Article] = true
			by[m.Annotator] += m.Count
		}
		var who []string
		for name, n := range by {
			who = append(who, termtext.Line(name)+":"+strconv.Itoa(n))
		}
		sort.Strings(who)
		var grades []string
		for _, name := range slices.Sorted(maps.Keys(r.Grades)) {
			grades = append(grades, termtext.Line(name)+":"+termtext.Line(r.Grades[name].Reliability))
		}
		aliases := slices.Clone(r.Aliases)
		for _, p := range r.PendingAliases {
			aliases = append(aliases, p.Name+" (pending, "+p.By+")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d in %d %s\t%s\t%s\n", r.ID, termtext.Line(r.Label), termtext.Line(r.Name),
			termtext.Line(strings.Join(aliases, ", ")), termtext.Line(strings.Join(r.ExternalIDs, ", ")), describeOrigin(r),
			total, len(articles), plural(len(articles), "article", "articles"), strings.Join(who, " "), strings.Join(grades, " "))
	}
	return tw.Flush()
}
