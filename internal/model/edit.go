package model

import "slices"

// Edits that must leave an annotation whole: whatever removes an item also
// drops what refers to it, so every reference resolves. The screen and
// review both edit through them (one place for the rule).

// RemoveSpan deletes the mention s and every reference to it: a claim it
// was the claimant of keeps the claimant's words as a name, a source grade
// forgets its span, incident fields and evidence drop it (a field left
// empty goes with its evidence, SetField). The entity it
// mentioned goes with its last mention (PruneReferents).
func RemoveSpan(a *Annotation, s Span, text string) {
	id := s.ID
	a.Entities = slices.DeleteFunc(a.Entities, func(x Span) bool { return x.ID == id })
	for j := range a.Claims {
		if a.Claims[j].Claimant.SpanID == id {
			name := ""
			if CheckRange(text, s.Start, s.End) == nil {
				name = text[s.Start:s.End]
			}
			a.Claims[j].Claimant = Claimant{Name: name}
		}
	}
	for j := range a.Sources {
		if a.Sources[j].SpanID == id {
			a.Sources[j].SpanID = ""
		}
	}
	for i := range a.Incidents {
		inc := &a.Incidents[i]
		for f, ids := range inc.Evidence {
			inc.Evidence[f] = RemoveID(ids, id)
		}
		for f, v := range inc.Fields {
			if len(v.List) > 0 {
				v.List = RemoveID(v.List, id)
				SetField(inc, f, v) // a list left empty goes, with its evidence
			}
		}
	}
	PruneReferents(a)
}

// RemoveClaim deletes a claim and every reference to it: stances toward it
// and incident evidence.
func RemoveClaim(a *Annotation, id string) {
	a.Claims = slices.DeleteFunc(a.Claims, func(c Claim) bool { return c.ID == id })
	for i := range a.Claims {
		if a.Claims[i].Stance != nil && a.Claims[i].Stance.ClaimID == id {
			a.Claims[i].Stance = nil
		}
	}
	for _, inc := range a.Incidents {
		for f, ids := range inc.Evidence {
			inc.Evidence[f] = RemoveID(ids, id)
		}
	}
}

// RemoveID returns ids without id, in place.
func RemoveID(ids []string, id string) []string {
	return slices.DeleteFunc(ids, func(x string) bool { return x == id })
}

// SetField sets an incident field's value. A zero value removes the field,
// and its evidence goes with it: evidence supports a value, so none is
// left pointing at a field that has been cleared. It returns the evidence
// removed.
func SetField(inc *Incident, field string, v Value) (dropped []string) {
	if !v.IsZero() {
		if inc.Fields == nil {
			inc.Fields = map[string]Value{}
		}
		inc.Fields[field] = v
		return nil
	}
	delete(inc.Fields, field)
	dropped = inc.Evidence[field]
	delete(inc.Evidence, field)
	return dropped
}

// RepointSpan makes everything that refers to mention from refer to
// mention to instead (a claimant, a grade, incident fields and evidence),
// so replacing a mention by another of the same stretch loses nothing.
func RepointSpan(a *Annotation, from, to string) {
	if from == to {
		return
	}
	for j := range a.Claims {
		if a.Claims[j].Claimant.SpanID == from {
			a.Claims[j].Claimant.SpanID = to
		}
	}
	for j := range a.Sources {
		if a.Sources[j].SpanID == from {
			a.Sources[j].SpanID = to
		}
	}
	swap := func(ids []string) []string {
		out := ids[:0]
		for _, id := range ids {
			if id == from {
				id = to
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
	for _, inc := range a.Incidents {
		for f, v := range inc.Fields {
			if len(v.List) > 0 {
				v.List = swap(v.List)
				inc.Fields[f] = v
			}
		}
		for f, ids := range inc.Evidence {
			inc.Evidence[f] = swap(ids)
		}
	}
}
