package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// BenchmarkBuildLongArticle: the items of a 200,000-character article
// with 2,000 mentions in each of two versions (grouped into 400
// entities), rebuilt after every decision the reviewer makes.
func BenchmarkBuildLongArticle(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 200_000 {
		fmt.Fprintf(&sb, "Fighters of group %d attacked the village near the river on day %d. ", sb.Len()%397, sb.Len()%31)
	}
	long := sb.String()
	make := func(who string, shift int) *model.Annotation {
		a := model.NewAnnotation(model.ArticleID(long), who, model.DefaultSchema().Name)
		off := 0
		for i := 0; i < 2000; i++ {
			k := strings.Index(long[off:], "group ")
			if k < 0 {
				break
			}
			start := off + k
			end := start + len("group")
			if i%7 == shift {
				end = start + len("group 1") // a boundary difference now and then
			}
			ent := fmt.Sprintf("n%d", i%400+1)
			if _, ok := a.Referent(ent); !ok {
				a.Referents = append(a.Referents, model.Entity{ID: ent, Name: fmt.Sprintf("Group %d", i%400), Label: "ORG"})
			}
			a.Entities = append(a.Entities, model.Span{ID: fmt.Sprintf("e%d", i+1), Start: start, End: end, Label: "ORG", Entity: ent})
			off = end + 1
		}
		a.NextID = 5000
		return &a
	}
	alice, bob := make("alice", 0), make("bob", 3)
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	versions := map[string]*model.Annotation{"alice": alice, "bob": bob}
	b.ReportAllocs()
	for b.Loop() {
		s := Build(long, nil, []string{"alice", "bob"}, versions, &gold)
		if len(s.Items) == 0 {
			b.Fatal("no items")
		}
	}
}
