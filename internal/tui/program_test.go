package tui

import (
	"context"
	"io"
	"reflect"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

// probe wraps the screen in a real tea.Program and calls after on the
// event loop once each message is handled, so a test can see the state
// safely and decide what to type next.
type probe struct {
	*Model
	after func(*Model)
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	p.after(p.Model)
	return p, cmd
}

// TestProgram runs the screen in a real tea.Program, typing raw terminal
// bytes into its input: enter opens the article, 1 tags the first word,
// ctrl+c quits. Each key is typed once the screen is ready for it.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	st := newFakeStore(queueArticles...)
	m := New(Options{Store: st, Schema: model.DefaultSchema(), Annotator: "alice", Location: "test.db"})
	in, typing := io.Pipe()
	ready := make(chan string, 8)
	// The steps, in order: the queue is loaded, the article is open, the
	// tag is saved.
	var stepNo int
	check := func(m *Model) {
		want := []func() bool{
			func() bool { return m.qt.ready },
			func() bool { return m.doc != nil },
			func() bool { return m.ann.Rev == 1 && !m.saving },
		}
		if stepNo < len(want) && want[stepNo]() {
			ready <- []string{"\r", "1", "\x03"}[stepNo]
			stepNo++
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p := tea.NewProgram(probe{Model: m, after: check},
		tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24),
		tea.WithContext(ctx), tea.WithoutSignalHandler())
	go func() {
		for keys := range ready {
			if _, err := typing.Write([]byte(keys)); err != nil {
				return
			}
			if keys == "\x03" {
				typing.Close()
				return
			}
		}
	}()
	start := time.Now()
	if _, err := p.Run(); err != nil {
		t.Fatalf("program: %v (after step %d)", err, stepNo)
	}
	t.Logf("ran in %v", time.Since(start))
	a, ok := st.stored(queueArticles[0].ID, "alice")
	if want := []model.Span{{ID: "e1", Start: 0, End: 1, Label: "ORG", Entity: "n2"}}; !ok || !reflect.DeepEqual(a.Entities, want) {
		t.Errorf("after enter 1 ctrl+c the store holds %+v, want %+v", a.Entities, want)
	}
}
