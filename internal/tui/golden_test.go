package tui

import (
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenText is an invented report in the style of the samples.
const goldenTitle = "Convoy hit on the river road near Qasr Tamra"

const goldenText = "QASR TAMRA, 14 March — Gunmen ambushed a supply convoy on the river road " +
	"east of Qasr Tamra on Tuesday, killing four drivers, the provincial council said.\n\n" +
	"A spokesman for the Tamra Brigades said his fighters had \"destroyed\" six trucks, " +
	"but residents reached by phone counted two burnt vehicles. The Ministry of Transport " +
	"put the toll at three dead and did not say who was responsible.\n\n" +
	"The road links Qasr Tamra with the crossing at Bir Sulaym, 40 km to the east."

// goldenHarness opens goldenText with a few spans, the second sentence
// partly selected, at the given size and background.
func goldenHarness(t *testing.T, width, height int, dark bool) *harness {
	t.Helper()
	st := newFakeStore(model.Article{ID: model.ArticleID(goldenText), Title: goldenTitle, Text: goldenText})
	ann := model.NewAnnotation(model.ArticleID(goldenText), "alice", "conflict-incidents")
	for _, s := range []struct {
		sub   string
		n     int
		label string
	}{
		{"QASR TAMRA", 0, "GPE"}, {"supply convoy", 0, "VEH"}, {"Qasr Tamra", 0, "GPE"}, {"Tuesday", 0, "TIME"},
		{"four", 0, "COUNT"}, {"provincial council", 0, "ORG"}, {"Tamra Brigades", 0, "ORG"},
		{"Tamra", 1, "GPE"}, // nested inside "Tamra Brigades"
		{"Ministry of Transport", 0, "ORG"}, {"Bir Sulaym", 0, "GPE"},
	} {
		r := rangeOf(t, goldenText, s.sub, s.n)
		ann.Entities = append(ann.Entities, model.Span{ID: ann.NewID("e"), Start: r.Start, End: r.End, Label: s.label})
	}
	ann.Status = model.StatusInProgress
	if _, err := st.Save(ann, "seed"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, width, height)
	if !dark {
		h.send(tea.BackgroundColorMsg{Color: color.White})
	}
	if h.m.styles.Dark != dark {
		t.Fatalf("styles dark = %v, want %v", h.m.styles.Dark, dark)
	}
	return h
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		for _, dark := range []bool{true, false} {
			bg := "dark"
			if !dark {
				bg = "light"
			}
			name := fmt.Sprintf("%dx%d_%s", size[0], size[1], bg)
			t.Run(name, func(t *testing.T) {
				h := goldenHarness(t, size[0], size[1], dark)
				checkGolden(t, "queue_"+name, h.m.Render())
				h.keys("enter } ] ] ] w v w w")
				checkGolden(t, "article_"+name, h.m.Render())
				h.keys("esc tab j")
				checkGolden(t, "spans_"+name, h.m.Render())
			})
		}
	}
}

// checkGolden compares a frame with testdata/<name>.golden, or rewrites the
// file under -update. A mismatch names the first differing row, without
// styles and with them.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	want := string(data)
	if got == want {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from the frame at row %d (go test -update rewrites it):\n got %q\nwant %q\n got styled %q\nwant styled %q",
				path, i, ansi.Strip(g), ansi.Strip(w), g, w)
			return
		}
	}
}
