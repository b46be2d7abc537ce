package suggest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// The article of the backend tests: a flag (two code points, four UTF-16
// units) before the names, so the two counts differ.
const mlText = "🇸🇾 ISIS fighters left Raqqa on Tuesday."

// backend is a Label Studio ML backend on loopback that answers with the
// given status and body, and records the last request.
func backend(t *testing.T, status int, body string, delay time.Duration) (*httptest.Server, *lsPredictRequest) {
	t.Helper()
	var got lsPredictRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/predict" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want POST /predict with JSON", http.StatusNotFound)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func region(start, end int, text string, labels ...string) map[string]any {
	return map[string]any{"from_name": "label", "to_name": "text", "type": "labels",
		"value": map[string]any{"start": start, "end": end, "text": text, "labels": labels}}
}

func answer(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestPredict(t *testing.T) {
	art := model.Article{ID: model.ArticleID(mlText), Text: mlText, Title: "secret title"}
	labels := []string{"ORG", "GPE", "TIME"}
	isis := mlText[9:13]
	if isis != "ISIS" {
		t.Fatalf("test text: %q", isis)
	}
	tests := []struct {
		name        string
		body        string
		want        []string
		wantSkipped []string
	}{
		{name: "code points, Label Studio's current answer",
			body: answer(t, map[string]any{"results": []any{map[string]any{
				"result": []any{region(3, 7, "ISIS", "ORG"), region(22, 27, "Raqqa", "GPE"), map[string]any{"type": "choices", "value": map[string]any{"choices": []string{"x"}}}},
				"score":  0.8, "model_version": "v1"}}}),
			want: []string{"ISIS/ORG/model@9", "Raqqa/GPE/model@28"}},
		{name: "UTF-16 units, older front ends; a bare list; per-region score",
			body: answer(t, []any{map[string]any{"result": []any{
				map[string]any{"type": "labels", "score": 0.5, "value": map[string]any{"start": 5, "end": 9, "text": "ISIS", "labels": []string{"ORG"}}}}}}),
			want: []string{"ISIS/ORG/model@9"}},
		{name: "several predictions, a list of them, duplicates once",
			body: answer(t, map[string]any{"results": []any{
				[]any{map[string]any{"result": []any{region(3, 7, "ISIS", "ORG")}}, map[string]any{"result": []any{region(3, 7, "ISIS", "ORG"), region(31, 38, "Tuesday", "TIME")}}},
			}}),
			want: []string{"ISIS/ORG/model@9", "Tuesday/TIME/model@37"}},
		{name: "wrong offsets, missing text, unknown labels, white space are skipped and counted",
			body: answer(t, map[string]any{"results": []any{map[string]any{"result": []any{
				region(4, 8, "ISIS", "ORG"),
				region(3, 7, "Raqqa", "GPE"),
				map[string]any{"type": "labels", "value": map[string]any{"start": 3, "end": 7, "labels": []string{"ORG"}}},
				region(3, 7, "ISIS", "PERSON"),
				region(2, 8, " ISIS ", "ORG"),
				region(7, 8, " ", "ORG"),
				region(3, 7000, "ISIS", "ORG"),
				map[string]any{"type": "labels", "value": map[string]any{"start": 3.5, "end": 7, "text": "ISIS", "labels": []string{"ORG"}}},
				region(22, 27, "Raqqa"),
				"not an object",
			}}}}),
			want:        []string{"ISIS/ORG/model@9"},
			wantSkipped: []string{"do not select", "do not select", "without their text", `label "PERSON"`, "only white space", "do not select", "whole numbers", "no labels", "not a result object"}},
		{name: "no results", body: `{"results": []}`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, req := backend(t, http.StatusOK, tt.body, 0)
			c := &Client{URL: srv.URL + "/", HTTP: srv.Client(), Timeout: 5 * time.Second}
			ans, err := c.Ask(context.Background(), art, labels)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(found(ans.Suggestions), tt.want) {
				t.Errorf("suggestions %q, want %q", found(ans.Suggestions), tt.want)
			}
			if len(ans.Skipped) != len(tt.wantSkipped) {
				t.Errorf("skipped %q, want %d", ans.Skipped, len(tt.wantSkipped))
			} else {
				for i, w := range tt.wantSkipped {
					if !strings.Contains(ans.Skipped[i], w) {
						t.Errorf("skipped[%d] = %q, want %q", i, ans.Skipped[i], w)
					}
				}
			}
			for _, s := range ans.Suggestions {
				if mlText[s.Start:s.End] != s.Text || s.Source != SourceModel {
					t.Errorf("%+v", s)
				}
			}
			// What was sent: the text and the labels, nothing else.
			if len(req.Tasks) != 1 || req.Tasks[0].ID != 1 || req.Tasks[0].Data["text"] != mlText || len(req.Tasks[0].Data) != 1 {
				t.Errorf("tasks sent: %+v", req.Tasks)
			}
			if want := LabelConfig(labels); req.LabelConfig != want || !strings.Contains(want, `<Label value="GPE"/>`) || req.Project != "annotate" {
				t.Errorf("label_config %q, project %q", req.LabelConfig, req.Project)
			}
		})
	}
}

func TestPredictScores(t *testing.T) {
	srv, _ := backend(t, http.StatusOK, answer(t, map[string]any{"results": []any{map[string]any{"score": 0.8, "result": []any{
		region(3, 7, "ISIS", "ORG"),
		map[string]any{"type": "labels", "score": 0.25, "value": map[string]any{"start": 22, "end": 27, "text": "Raqqa", "labels": []string{"GPE"}}},
	}}}}), 0)
	got, err := (&Client{URL: srv.URL, HTTP: srv.Client()}).Predict(context.Background(), model.Article{Text: mlText}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Score != 0.8 || got[1].Score != 0.25 {
		t.Errorf("scores: %+v", got)
	}
}

func TestPredictFailures(t *testing.T) {
	art := model.Article{Text: mlText}
	tests := []struct {
		name   string
		status int
		body   string
		delay  time.Duration
		want   string
	}{
		{"server error", http.StatusInternalServerError, "Traceback: model not loaded\nmore", 0, "answered 500 Internal Server Error: Traceback: model not loaded"},
		{"not JSON", http.StatusOK, "<html>hello</html>", 0, "not Label Studio predictions"},
		{"cut short", http.StatusOK, `{"results": [{"result": [`, 0, "not Label Studio predictions"},
		{"no results", http.StatusOK, `{"model_version": "v1"}`, 0, `no "results"`},
		{"result not a list", http.StatusOK, `{"results": [{"result": 5}]}`, 0, "not Label Studio predictions"},
		{"slow", http.StatusOK, `{"results": []}`, 5 * time.Second, "gave no answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := backend(t, tt.status, tt.body, tt.delay)
			c := &Client{URL: srv.URL, HTTP: srv.Client(), Timeout: 200 * time.Millisecond}
			start := time.Now()
			got, err := c.Predict(context.Background(), art, []string{"ORG"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Predict = %v, %v; want an error with %q", got, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %s: the timeout did not stop it", time.Since(start))
			}
		})
	}
}

func TestPredictUnreachableAndBadURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := (&Client{URL: url, Timeout: time.Second}).Predict(context.Background(), model.Article{Text: "x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("closed server: %v", err)
	}
	for _, u := range []string{"", "localhost:9090", "ftp://host/x", "http://"} {
		if _, err := (&Client{URL: u}).Predict(context.Background(), model.Article{Text: "x"}, nil); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}
