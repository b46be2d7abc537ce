package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// The entity registry's rules, which every store keeps alike: one entry
// per actor (no two entries of one label go by one name), names trimmed,
// repeated aliases and external ids dropped, ids "r1", "r2", ... handed
// out one after the other and never again. A store reads and writes the
// entries; what it may store, and what a merge makes of two entries, is
// decided here.

// ErrRegistryEntry marks a registry change refused because of what it
// asks for (an empty name, a name another entry has): the caller's input,
// not the database, is at fault.
var ErrRegistryEntry = errors.New("registry entry refused")

// TidyRegistryEntry trims e's names, drops aliases that repeat the name or
// each other (by model.NameKey), repeated external ids, pending aliases the
// entry already goes by or that repeat one of the same proposer, and
// repeated makers, and returns what is wrong with the entry as it then is
// ("" when nothing).
func TidyRegistryEntry(e *model.RegistryEntry) string {
	e.Name = strings.TrimSpace(e.Name)
	e.Label = strings.TrimSpace(e.Label)
	e.Aliases = joinNames([]string{e.Name}, e.Aliases)[1:]
	if len(e.Aliases) == 0 {
		e.Aliases = nil
	}
	e.ExternalIDs = joinNames(nil, e.ExternalIDs)
	var pending []model.RegistryAlias
	for _, p := range e.PendingAliases {
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" || e.HasName(p.Name) || slices.ContainsFunc(pending, func(q model.RegistryAlias) bool {
			return q.By == p.By && model.NameKey(q.Name) == model.NameKey(p.Name)
		}) {
			continue
		}
		pending = append(pending, p)
	}
	e.PendingAliases = pending
	if len(e.Makers) > 0 {
		var makers []string
		for _, m := range e.Makers {
			if !slices.Contains(makers, m) {
				makers = append(makers, m)
			}
		}
		e.Makers = makers
	}
	return RegistryEntryProblem(*e)
}

// RegistryEntryProblem says what makes an entry unfit to keep, "" when
// nothing: what SaveRegistry refuses and what Check reports.
func RegistryEntryProblem(e model.RegistryEntry) string {
	switch {
	case strings.TrimSpace(e.Name) == "":
		return "an entry needs a name"
	case badName(e.Name):
		return fmt.Sprintf("name %q holds a line break or control character", e.Name)
	case e.Label == "":
		return "an entry needs a label"
	case e.Origin != "" && !slices.Contains(model.RegistryOrigins, e.Origin):
		return fmt.Sprintf("origin %q is none of %s", e.Origin, strings.Join(model.RegistryOrigins, ", "))
	case !e.Curated() && len(e.Makers) == 0:
		return fmt.Sprintf("an entry made by %s needs the annotator who made it (makers)", e.Origin)
	}
	for _, a := range e.Aliases {
		if strings.TrimSpace(a) == "" || badName(a) {
			return fmt.Sprintf("alias %q is blank or holds a line break or control character", a)
		}
	}
	for _, p := range e.PendingAliases {
		if strings.TrimSpace(p.Name) == "" || badName(p.Name) {
			return fmt.Sprintf("pending alias %q is blank or holds a line break or control character", p.Name)
		}
	}
	for _, x := range e.ExternalIDs {
		if scheme, id, ok := strings.Cut(x, ":"); !ok || strings.TrimSpace(scheme) == "" || strings.TrimSpace(id) == "" || badName(x) {
			return fmt.Sprintf("external id %q is not scheme:id (wikidata:Q1325475, acled:...)", x)
		}
	}
	return ""
}

// badName reports a control character (C0, DEL or C1) in s.
func badName(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

// joinNames returns base followed by the names of more that base does not
// yet hold (compared by NameKey), trimmed, blank ones left out, in order.
func joinNames(base, more []string) []string {
	out := slices.Clone(base)
	seen := map[string]bool{}
	for _, n := range out {
		seen[model.NameKey(n)] = true
	}
	for _, n := range more {
		n = strings.TrimSpace(n)
		if k := model.NameKey(n); n != "" && !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// RegistryNameTaken returns the entry of all, other than e (by id), of
// e's label that already goes by e's name, as its name or as an alias,
// and that name; name is "" when none does. The first such entry of all
// is the one returned.
func RegistryNameTaken(all []model.RegistryEntry, e model.RegistryEntry) (other model.RegistryEntry, name string) {
	key := model.NameKey(e.Name)
	for _, o := range all {
		if o.ID == e.ID || o.Label != e.Label {
			continue
		}
		for _, n := range o.Names() {
			if model.NameKey(n) == key {
				return o, n
			}
		}
	}
	return model.RegistryEntry{}, ""
}

// CheckRegistryName is SaveRegistry's refusal (ErrRegistryEntry) of e when
// another entry of all goes by its name (RegistryNameTaken): two entries
// would then stand for one actor. It is nil when none does.
func CheckRegistryName(all []model.RegistryEntry, e model.RegistryEntry) error {
	o, name := RegistryNameTaken(all, e)
	if name == "" {
		return nil
	}
	also := ""
	if name != o.Name {
		also = fmt.Sprintf(" (%q is its alias)", name)
	}
	return fmt.Errorf("%w: the registry already has %s %q as %s%s: merge the two, or choose another name", ErrRegistryEntry, o.Label, o.Name, o.ID, also)
}

// MergeRegistryEntries returns entry into with entry from folded in, as
// MergeRegistry stores it: from's name, aliases and external ids join
// into's (without repeats, by NameKey), so do its pending aliases and
// makers; each annotator keeps into's grade, or takes from's when into
// has none of theirs; the result is curated when either was (with that
// one's origin, into's first). Neither entry is changed; the caller sets
// who and when, and checks the result (RegistryEntryProblem).
func MergeRegistryEntries(into, from model.RegistryEntry) model.RegistryEntry {
	merged := into
	merged.Aliases = joinNames([]string{into.Name}, append(append(slices.Clone(into.Aliases), from.Name), from.Aliases...))[1:]
	if len(merged.Aliases) == 0 {
		merged.Aliases = nil
	}
	merged.ExternalIDs = joinNames(into.ExternalIDs, from.ExternalIDs)
	merged.PendingAliases = append(slices.Clone(into.PendingAliases), from.PendingAliases...)
	merged.Makers = append(slices.Clone(into.Makers), from.Makers...)
	if !into.Curated() && from.Curated() {
		merged.Origin, merged.By = from.Origin, from.By
	}
	merged.Grades = maps.Clone(into.Grades)
	for who, g := range from.Grades {
		if _, ok := merged.Grades[who]; !ok {
			if merged.Grades == nil {
				merged.Grades = map[string]model.RegistryGrade{}
			}
			merged.Grades[who] = g
		}
	}
	TidyRegistryEntry(&merged)
	return merged
}

// RefuseSelfMerge is MergeRegistry's refusal of a merge of an entry into
// itself (nil for two entries).
func RefuseSelfMerge(into, from string) error {
	if into != from {
		return nil
	}
	return fmt.Errorf("%w: cannot merge %s into itself", ErrRegistryEntry, into)
}

// RegistryMergeAction is the registry history's action for a merge of
// from into into (relinked annotations' history names it after
// "registry: ").
func RegistryMergeAction(into, from model.RegistryEntry) string {
	return fmt.Sprintf("merge %s %q into %s %q", from.ID, from.Name, into.ID, into.Name)
}

// RegistryLess orders entries as Registry lists them: by name (NameKey),
// then by id number.
func RegistryLess(a, b model.RegistryEntry) bool {
	if ka, kb := model.NameKey(a.Name), model.NameKey(b.Name); ka != kb {
		return ka < kb
	}
	return RegistryIDLess(a.ID, b.ID)
}

// RegistryIDLess orders registry ids by their number, so "r2" comes
// before "r10"; ids without one compare as strings.
func RegistryIDLess(a, b string) bool {
	na, ea := strconv.Atoi(strings.TrimPrefix(a, "r"))
	nb, eb := strconv.Atoi(strings.TrimPrefix(b, "r"))
	if ea == nil && eb == nil && na != nb {
		return na < nb
	}
	return a < b
}

// RegistryID is the id of the nth entry the registry hands out ("r12").
func RegistryID(n uint64) string { return "r" + strconv.FormatUint(n, 10) }

// RegistryIDNumber is n of an id "r<n>" (RegistryID); ok is false for an
// id of another form.
func RegistryIDNumber(id string) (n uint64, ok bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "r"), 10, 64)
	return n, err == nil
}

// RegistryCheck finds, for Check, what breaks the registry's rules across
// entries and annotations: two entries of one actor (label and name), and
// links to an entry that does not exist and was never merged away (a link
// an undo brought back after a merge is fine). A store feeds it what it
// reads; its zero value is ready.
type RegistryCheck struct {
	first      map[string]string // label and NameKey of the name: the first entry's id
	known      map[string]bool
	mergedAway map[string]bool
}

// Entry records entry e, stored under id, and returns the problem when an
// entry recorded before has its label and name ("" when none), naming
// that one first.
func (c *RegistryCheck) Entry(id string, e model.RegistryEntry) string {
	if c.first == nil {
		c.first, c.known = map[string]string{}, map[string]bool{}
	}
	c.known[id] = true
	key := e.Label + "\x00" + model.NameKey(e.Name)
	if other, dup := c.first[key]; dup {
		return fmt.Sprintf("registry entries %s and %s are both %s %q: merge them (annotate entities merge %s %s)", other, id, e.Label, e.Name, other, id)
	}
	c.first[key] = id
	return ""
}

// Change records a registry change: the entry it merged away, if any.
func (c *RegistryCheck) Change(rc RegistryChange) {
	if rc.Merged == nil {
		return
	}
	if c.mergedAway == nil {
		c.mergedAway = map[string]bool{}
	}
	c.mergedAway[rc.Merged.ID] = true
}

// Links returns a problem for each of a's entities linked to an entry
// that was neither recorded (Entry) nor merged away (Change): call it once
// every entry and change is recorded.
func (c *RegistryCheck) Links(a model.Annotation) []string {
	var problems []string
	for _, e := range a.Referents {
		if e.Registry != "" && !c.known[e.Registry] && !c.mergedAway[e.Registry] {
			problems = append(problems, fmt.Sprintf("article %s, annotator %s: referents[%s].registry: links to registry entry %q, which does not exist", a.ArticleID, a.Annotator, e.ID, e.Registry))
		}
	}
	return problems
}

// CheckRegistryFresh is SaveRegistry's refusal (ErrConflict) of a change
// made to a copy of an entry older than the one stored: e.UpdatedAt, when
// set, must be stored's. A screen holding an entry read before another
// change would otherwise undo that change by saving its copy (bob's grade
// saved over alice's). An entry whose UpdatedAt is zero, built whole by its
// caller, is not checked.
func CheckRegistryFresh(stored, e model.RegistryEntry) error {
	if e.UpdatedAt.IsZero() || e.UpdatedAt.Equal(stored.UpdatedAt) {
		return nil
	}
	return fmt.Errorf("registry entry %s changed since it was read (by %s at %s): %w", e.ID, stored.UpdatedBy, stored.UpdatedAt.Format("2006-01-02 15:04:05"), ErrConflict)
}

// changeAttempts bounds how often ChangeRegistry reads an entry again
// after another change came in between.
const changeAttempts = 8

// ChangeRegistry applies change to the registry entry id as stored now and
// saves the result (SaveRegistry, with who and action). When another
// change is saved between the read and the write (ErrConflict), it reads
// the entry again and applies change again, so a change made on an old
// copy never undoes another: change must depend only on the entry it is
// given. When change reports nothing changed, nothing is saved. It returns
// the entry as stored and whether change changed it.
func ChangeRegistry(st Store, id, who, action string, change func(*model.RegistryEntry) bool) (model.RegistryEntry, bool, error) {
	for range changeAttempts {
		entry, err := RegistryEntryByID(st, id)
		if err != nil {
			return entry, false, err
		}
		if !change(&entry) {
			return entry, false, nil
		}
		saved, err := st.SaveRegistry(entry, who, action)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return saved, err == nil, err
	}
	return model.RegistryEntry{}, false, fmt.Errorf("registry entry %s kept changing while %s tried to %s: %w", id, who, action, ErrConflict)
}

// RegistryEntryByID returns the registry entry with that id (ErrNotFound
// when there is none).
func RegistryEntryByID(st Store, id string) (model.RegistryEntry, error) {
	var found model.RegistryEntry
	ok := false
	err := st.Registry(func(e model.RegistryEntry) error {
		if e.ID == id {
			found, ok = e, true
		}
		return nil
	})
	if err == nil && !ok {
		err = fmt.Errorf("registry entry %s: %w", id, ErrNotFound)
	}
	return found, err
}

// ConfirmRegistry stores a reviewer's confirmation of entry id
// (model.ConfirmRegistry): what an annotator's tagging or linking made,
// and every pending alias, becomes everyone's. It returns the entry as
// stored and whether there was anything to confirm. annotate entities
// confirm and the review screen both call it.
func ConfirmRegistry(st Store, id, reviewer string) (model.RegistryEntry, bool, error) {
	return ChangeRegistry(st, id, reviewer, "confirm", func(e *model.RegistryEntry) bool {
		return model.ConfirmRegistry(e, reviewer)
	})
}
