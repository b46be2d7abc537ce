package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/annotate-tool/annotate/internal/agree"
	"github.com/annotate-tool/annotate/internal/model"
)

// The fields of a claim decided one by one, in form order.
var claimFields = []string{"content", "cue", "claimant", "type", "polarity", "certainty", "figures", "stance", "credibility", "self-interested"}

// claimOf is who's claim in an aligned group.
func (s *Set) claimOf(g agree.Group, who string) (model.Claim, bool) {
	k := slices.Index(s.all, who)
	if k < 0 || g[k] < 0 {
		return model.Claim{}, false
	}
	return s.annotation(who).Claims[g[k]], true
}

// claimAnchor names an aligned claim: by gold's claim when gold has one,
// else by the first annotator's (claimHaverAnchor).
func (s *Set) claimAnchor(gi int) string {
	g := s.claims[gi]
	if c, ok := s.claimOf(g, goldKey); ok {
		return "claim " + c.ID
	}
	return s.claimHaverAnchor(gi)
}

// claimHaverAnchor names an aligned claim gold does not have by the first
// annotator who has it and her claim's id ("claim @alice:c5"): a name that
// stays while her claim does, whatever else is aligned or taken.
func (s *Set) claimHaverAnchor(gi int) string {
	g := s.claims[gi]
	for _, who := range s.Annotators {
		if c, ok := s.claimOf(g, who); ok {
			return "claim @" + who + ":" + c.ID
		}
	}
	return fmt.Sprintf("claim #%d", gi+1)
}

func claimWhere(c model.Claim) model.Range {
	if len(c.Content) == 0 {
		return model.Range{}
	}
	r := c.Content[0]
	for _, x := range c.Content[1:] {
		r.Start, r.End = min(r.Start, x.Start), max(r.End, x.End)
	}
	return r
}

// claimItems makes, per aligned claim, an item for whether it is there
// and, where two annotators or more have it, one per field.
func (s *Set) claimItems() []*Item {
	var items []*Item
	for gi, g := range s.claims {
		var havers []string
		var first model.Claim
		for _, who := range s.Annotators {
			if c, ok := s.claimOf(g, who); ok {
				if len(havers) == 0 {
					first = c
				}
				havers = append(havers, who)
			}
		}
		if len(havers) == 0 {
			continue
		}
		anchor := s.claimAnchor(gi)
		title := "claim " + quote(s.contentWords(first))
		exist := &Item{Key: anchor, Kind: KindClaim, Title: title, Where: claimWhere(first), group: gi,
			Versions: map[string]string{}, Digest: map[string]string{}, Show: map[string]string{}}
		for _, who := range s.all {
			if c, ok := s.claimOf(g, who); ok {
				exist.Versions[who] = "present"
				exist.Show[who] = s.claimSummary(s.annotation(who), c)
			}
			exist.Digest[who] = digestOf(exist.Versions[who])
		}
		group := gi
		exist.apply = func(s *Set, gold *model.Annotation, from []string) error {
			if len(from) == 0 {
				if id := s.goldClaim(gold, group); id != "" {
					model.RemoveClaim(gold, id)
				}
				return nil
			}
			s.ensureClaim(gold, group, from[0])
			return nil
		}
		items = append(items, exist)
		if len(havers) < 2 && !s.single {
			continue
		}
		for _, f := range claimFields {
			it := &Item{Key: anchor + " " + f, Kind: KindClaim, Field: f, Title: title + " " + f, Where: exist.Where, group: gi,
				Versions: map[string]string{}, Digest: map[string]string{}, Required: f == "content"}
			any := false
			for _, who := range s.all {
				if c, ok := s.claimOf(g, who); ok {
					it.Versions[who] = s.claimField(s.annotation(who), c, f)
				}
				it.Digest[who] = digestOf(it.Versions[who])
				any = any || who != goldKey && it.Versions[who] != ""
			}
			if !any {
				continue
			}
			field := f
			it.apply = func(s *Set, gold *model.Annotation, from []string) error {
				if len(from) == 0 && s.goldClaim(gold, group) == "" {
					return nil // none of a claim gold does not have
				}
				who := ""
				if len(from) > 0 {
					who = from[0]
				} else if hs := havers; len(hs) > 0 {
					who = hs[0] // the claim comes from someone; the field is then cleared
				}
				id := s.ensureClaim(gold, group, who)
				i := slices.IndexFunc(gold.Claims, func(c model.Claim) bool { return c.ID == id })
				if i < 0 {
					return nil
				}
				var src model.Claim
				if len(from) > 0 {
					src, _ = s.claimOf(s.claims[group], from[0])
				}
				s.setClaimField(gold, &gold.Claims[i], src, who, field, len(from) > 0)
				return nil
			}
			items = append(items, it)
		}
	}
	return items
}

// contentWords is a claim's content as text.
func (s *Set) contentWords(c model.Claim) string {
	var parts []string
	for _, r := range c.Content {
		parts = append(parts, words(s.Text, r))
	}
	return strings.Join(parts, " … ")
}

// claimSummary shows a whole claim on one line.
func (s *Set) claimSummary(a *model.Annotation, c model.Claim) string {
	var parts []string
	for _, f := range claimFields {
		if v := s.claimField(a, c, f); v != "" {
			if f == "content" {
				parts = append(parts, quote(v))
			} else {
				parts = append(parts, f+" "+v)
			}
		}
	}
	return strings.Join(parts, " · ")
}

// claimField is one field of a claim as text, entities by canonical name
// and codes with their labels.
func (s *Set) claimField(a *model.Annotation, c model.Claim, field string) string {
	switch field {
	case "content":
		return s.contentWords(c)
	case "cue":
		if c.Cue != nil {
			return words(s.Text, *c.Cue)
		}
	case "claimant":
		if c.Claimant.SpanID != "" {
			return a.RefName(c.Claimant.SpanID, s.Text)
		}
		return c.Claimant.Name
	case "type":
		return c.Type
	case "polarity":
		return c.Polarity
	case "certainty":
		return c.Certainty
	case "figures":
		var fs []string
		for _, f := range c.Figures {
			fs = append(fs, f.Describe())
		}
		return strings.Join(fs, "; ")
	case "stance":
		if c.Stance != nil {
			if t, ok := a.Claim(c.Stance.ClaimID); ok {
				return c.Stance.Kind + " " + quote(s.contentWords(t))
			}
			return c.Stance.Kind
		}
	case "credibility":
		return codeText(s.Schema.CredibilityGrades, c.Credibility)
	case "self-interested":
		if c.SelfInterested {
			return "yes"
		}
	}
	return ""
}

// codeText shows a code with its label ("3 possibly true").
func codeText(codes []model.Code, code string) string {
	if code == "" {
		return ""
	}
	for _, c := range codes {
		if c.Code == code && c.Label != "" && c.Label != code {
			return code + " " + c.Label
		}
	}
	return code
}

// goldClaim is gold's claim of an aligned group now ("" for none).
func (s *Set) goldClaim(gold *model.Annotation, gi int) string {
	has := func(id string) bool {
		_, ok := gold.Claim(id)
		return ok
	}
	if id := s.made[fmt.Sprint("claim ", gi)]; id != "" && has(id) {
		return id
	}
	if c, ok := s.claimOf(s.claims[gi], goldKey); ok && has(c.ID) {
		return c.ID
	}
	return ""
}

// ensureClaim returns gold's claim of an aligned group, copying who's
// whole when gold has none.
func (s *Set) ensureClaim(gold *model.Annotation, gi int, who string) string {
	if id := s.goldClaim(gold, gi); id != "" {
		return id
	}
	c, ok := s.claimOf(s.claims[gi], who)
	if !ok {
		return ""
	}
	n := model.Claim{ID: gold.NewID("c")}
	gold.Claims = append(gold.Claims, n)
	s.made[fmt.Sprint("claim ", gi)] = n.ID
	p := &gold.Claims[len(gold.Claims)-1]
	for _, f := range claimFields {
		s.setClaimField(gold, p, c, who, f, true)
		p = &gold.Claims[slices.IndexFunc(gold.Claims, func(x model.Claim) bool { return x.ID == n.ID })]
	}
	return n.ID
}

// setClaimField sets one field of gold's claim g to src's (who's), or
// clears it (set false). A claimant span and a stance's claim become
// gold's.
func (s *Set) setClaimField(gold *model.Annotation, g *model.Claim, src model.Claim, who, field string, set bool) {
	if !set {
		src = model.Claim{}
	}
	id := g.ID
	switch field {
	case "content":
		if set {
			g.Content = slices.Clone(src.Content)
		}
	case "cue":
		g.Cue = nil
		if src.Cue != nil {
			cue := *src.Cue
			g.Cue = &cue
		}
	case "claimant":
		c := model.Claimant{Name: src.Claimant.Name}
		if sp, ok := s.Versions[who].Span(src.Claimant.SpanID); ok && set {
			if id := s.ensureSpan(gold, who, sp); id != "" {
				c = model.Claimant{SpanID: id}
			} else {
				// The reviewer kept no mention there: the claimant is named.
				c = model.Claimant{Name: s.Versions[who].RefName(sp.ID, s.Text)}
			}
		}
		// ensureSpan may have grown gold.Entities, not gold.Claims: g
		// still points into gold.Claims.
		g.Claimant = c
	case "type":
		g.Type = src.Type
	case "polarity":
		g.Polarity = src.Polarity
	case "certainty":
		g.Certainty = src.Certainty
	case "figures":
		g.Figures = nil
		for _, f := range src.Figures {
			f.Value, f.Low, f.High = cloneInt(f.Value), cloneInt(f.Low), cloneInt(f.High)
			g.Figures = append(g.Figures, f)
		}
	case "stance":
		g.Stance = nil
		if src.Stance != nil {
			if t, ok := s.Versions[who].Claim(src.Stance.ClaimID); ok {
				if tgi := s.groupOfClaim(who, t.ID); tgi >= 0 && tgi != s.groupOfClaimID(gold, id) {
					if tid := s.ensureClaim(gold, tgi, who); tid != "" {
						// ensureClaim appended to gold.Claims: find g again.
						i := slices.IndexFunc(gold.Claims, func(x model.Claim) bool { return x.ID == id })
						gold.Claims[i].Stance = &model.Stance{Kind: src.Stance.Kind, ClaimID: tid}
					}
				}
			}
		}
	case "credibility":
		g.Credibility = src.Credibility
	case "self-interested":
		g.SelfInterested = src.SelfInterested
	}
}

// groupOfClaim is the aligned group holding who's claim id (-1 for none).
func (s *Set) groupOfClaim(who, id string) int {
	k := slices.Index(s.all, who)
	a := s.annotation(who)
	for gi, g := range s.claims {
		if g[k] >= 0 && a.Claims[g[k]].ID == id {
			return gi
		}
	}
	return -1
}

// groupOfClaimID is the group whose gold claim is id (-1 for none).
func (s *Set) groupOfClaimID(gold *model.Annotation, id string) int {
	for gi := range s.claims {
		if s.goldClaim(gold, gi) == id {
			return gi
		}
	}
	return -1
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	n := *p
	return &n
}
