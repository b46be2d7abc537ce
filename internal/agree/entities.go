package agree

// Entity is one annotator's grouping of mentions into one entity (one
// group, person or place however often the article names it). A mention is
// identified by its boundaries: Start and End; its label is not compared.
type Entity []Span

// LinkScores is pairwise link agreement on entity grouping, as coreference
// is scored pairwise: a link is an unordered pair of mentions that one
// annotator put in the same entity. Precision counts against A's links and
// recall against B's; F1 = 2 |A and B| / (|A| + |B|). N is |A| + |B|. A
// singleton entity has no links, so it neither helps nor hurts; a mention
// only one annotator marked can take part only in that annotator's links
// (span disagreement shows up in CompareSpans, not here). MUC and B-cubed
// are not computed.
type LinkScores struct {
	LinksA, LinksB, Common int
	Precision, Recall, F1  float64
	N                      int
}

type mentionKey struct{ start, end int }

type link struct{ a, b mentionKey }

func linksOf(entities []Entity) map[link]bool {
	links := map[link]bool{}
	for _, e := range entities {
		seen := map[mentionKey]bool{}
		var ms []mentionKey
		for _, s := range e {
			k := mentionKey{s.Start, s.End}
			if !seen[k] {
				seen[k] = true
				ms = append(ms, k)
			}
		}
		for i := range ms {
			for j := i + 1; j < len(ms); j++ {
				x, y := ms[i], ms[j]
				if y.start < x.start || (y.start == x.start && y.end < x.end) {
					x, y = y, x
				}
				links[link{x, y}] = true
			}
		}
	}
	return links
}

// LinkF1 scores one document's entity grouping of A against B.
func LinkF1(a, b []Entity) LinkScores {
	return LinkF1Docs([][2][]Entity{{a, b}})
}

// LinkF1Docs pools links over documents (links never cross documents):
// counts are summed, then scored.
func LinkF1Docs(docs [][2][]Entity) LinkScores {
	var s LinkScores
	for _, d := range docs {
		la, lb := linksOf(d[0]), linksOf(d[1])
		s.LinksA += len(la)
		s.LinksB += len(lb)
		for l := range la {
			if lb[l] {
				s.Common++
			}
		}
	}
	s.Precision = ratio(s.Common, s.LinksA)
	s.Recall = ratio(s.Common, s.LinksB)
	s.F1 = ratio(2*s.Common, s.LinksA+s.LinksB)
	s.N = s.LinksA + s.LinksB
	return s
}
