package suggest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// DefaultTimeout bounds one request when Client.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// maxAnswer bounds what is read of a server's answer.
const maxAnswer = 64 << 20

// Client asks a model for suggestions over Label Studio's ML backend API
// (label-studio-ml-backend's POST /predict), so a team can plug in any
// model it already serves (spaCy, transformers, GLiNER) without annotate
// embedding one. Nothing is sent anywhere unless URL is set.
//
// What is sent, as JSON, to URL + "/predict":
//
//	{"tasks": [{"id": 1, "data": {"text": "<the article's text>"}}],
//	 "label_config": "<View><Labels name=\"label\" toName=\"text\"><Label value=\"ORG\"/>…</Labels><Text name=\"text\" value=\"$text\"/></View>",
//	 "project": "annotate"}
//
// The article's text and the label names only: not its id, title, source
// or any annotation.
//
// What is read: {"results": [prediction, …]} (or the list alone), each
// prediction {"result": [region, …], "score": s} or a list of them, each
// region {"type": "labels", "value": {"start", "end", "text", "labels":
// [...]}, "score": s}. Every prediction is taken as one for the article.
// Regions of other types are ignored. A labels region is skipped, and
// counted in Answer.Skipped, when it has no text, when its offsets select
// other text than its "text" (counted as code points, what Python
// backends write and Label Studio since 1.4 counts, else as UTF-16 units,
// what its older front end counted: the rule of annotate's Label Studio
// import), when it is only white space, or when its label is not one
// asked for. White space at a region's edges is trimmed.
type Client struct {
	URL string
	// HTTP is the client used (http.DefaultClient when nil).
	HTTP *http.Client
	// Timeout bounds each request (DefaultTimeout when 0).
	Timeout time.Duration
}

// Answer is what a server answered for one article.
type Answer struct {
	Suggestions []Suggestion
	// Skipped says, one line each, why results were left out.
	Skipped      []string
	ModelVersion string
}

// Predict asks the server for the article's suggestions with the given
// labels (nil: any label). Results that do not hold are left out (see
// Ask to know which).
func (c *Client) Predict(ctx context.Context, article model.Article, labels []string) ([]Suggestion, error) {
	ans, err := c.Ask(ctx, article, labels)
	return ans.Suggestions, err
}

type lsTask struct {
	ID   int               `json:"id"`
	Data map[string]string `json:"data"`
}

type lsPredictRequest struct {
	Tasks       []lsTask `json:"tasks"`
	LabelConfig string   `json:"label_config"`
	Project     string   `json:"project"`
}

type lsPrediction struct {
	Result       []json.RawMessage `json:"result"`
	Score        *float64          `json:"score"`
	ModelVersion string            `json:"model_version"`
}

type lsRegion struct {
	Type  string   `json:"type"`
	Score *float64 `json:"score"`
	Value struct {
		Start  *json.Number `json:"start"`
		End    *json.Number `json:"end"`
		Text   *string      `json:"text"`
		Labels []string     `json:"labels"`
	} `json:"value"`
}

// LabelConfig is the Label Studio labelling configuration sent with a
// request: one Labels control named "label" over a Text object named
// "text", with the schema's labels.
func LabelConfig(labels []string) string {
	var b strings.Builder
	b.WriteString(`<View><Labels name="label" toName="text">`)
	for _, l := range labels {
		fmt.Fprintf(&b, `<Label value="%s"/>`, html.EscapeString(l))
	}
	b.WriteString(`</Labels><Text name="text" value="$text"/></View>`)
	return b.String()
}

// Ask is Predict that also says what was skipped and the model's version.
func (c *Client) Ask(ctx context.Context, article model.Article, labels []string) (Answer, error) {
	endpoint, err := c.endpoint()
	if err != nil {
		return Answer{}, err
	}
	body, err := json.Marshal(lsPredictRequest{
		Tasks:       []lsTask{{ID: 1, Data: map[string]string{"text": article.Text}}},
		LabelConfig: LabelConfig(labels),
		Project:     "annotate",
	})
	if err != nil {
		return Answer{}, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("suggest server %s: %w", c.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Answer{}, c.transportError(ctx, err, timeout)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return Answer{}, c.transportError(ctx, err, timeout)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Answer{}, fmt.Errorf("suggest server %s answered %s: %s", endpoint, resp.Status, firstLine(raw))
	}
	if len(raw) > maxAnswer {
		return Answer{}, fmt.Errorf("suggest server %s: the answer is larger than %d MB", endpoint, maxAnswer>>20)
	}
	preds, err := parsePredictions(raw)
	if err != nil {
		return Answer{}, fmt.Errorf("suggest server %s: the answer is not Label Studio predictions (%v): check that the server is a Label Studio ML backend", endpoint, err)
	}
	return readPredictions(article.Text, preds, labels), nil
}

func (c *Client) endpoint() (string, error) {
	if c.URL == "" {
		return "", errors.New("no suggest server: give --suggest-url URL")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("suggest server %q is not an http:// or https:// URL", c.URL)
	}
	return strings.TrimRight(c.URL, "/") + "/predict", nil
}

func (c *Client) transportError(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("suggest server %s gave no answer within %s", c.URL, timeout)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("suggest server %s: request cancelled", c.URL)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("suggest server %s cannot be reached: %v", c.URL, err)
}

func firstLine(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	if s == "" {
		s = "(no body)"
	}
	return s
}

// parsePredictions reads {"results": [...]} or a bare list; each item a
// prediction or a list of predictions.
func parsePredictions(raw []byte) ([]lsPrediction, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	switch {
	case len(raw) > 0 && raw[0] == '{':
		var obj struct {
			Results *[]json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
		if obj.Results == nil {
			return nil, errors.New(`no "results"`)
		}
		items = *obj.Results
	case len(raw) > 0 && raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("not a JSON object or list")
	}
	var out []lsPrediction
	for i, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '[' {
			var list []lsPrediction
			if err := json.Unmarshal(it, &list); err != nil {
				return nil, fmt.Errorf("results[%d]: %v", i, err)
			}
			out = append(out, list...)
			continue
		}
		var p lsPrediction
		if err := json.Unmarshal(it, &p); err != nil {
			return nil, fmt.Errorf("results[%d]: %v", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// readPredictions turns regions into suggestions, skipping those that do
// not hold.
func readPredictions(text string, preds []lsPrediction, labels []string) Answer {
	var ans Answer
	index := model.NewRuneIndex(text)
	type key struct {
		start, end int
		label      string
	}
	seen := map[key]bool{}
	for pi, p := range preds {
		if ans.ModelVersion == "" {
			ans.ModelVersion = p.ModelVersion
		}
		for ri, raw := range p.Result {
			where := fmt.Sprintf("results[%d].result[%d]", pi, ri)
			skip := func(format string, args ...any) {
				ans.Skipped = append(ans.Skipped, where+": "+fmt.Sprintf(format, args...))
			}
			var reg lsRegion
			if err := json.Unmarshal(raw, &reg); err != nil {
				skip("not a result object (%v)", err)
				continue
			}
			if reg.Type != "labels" {
				continue
			}
			r, err := regionRange(text, index, reg)
			if err != nil {
				skip("%v", err)
				continue
			}
			score := 0.0
			switch {
			case reg.Score != nil:
				score = *reg.Score
			case p.Score != nil:
				score = *p.Score
			}
			if len(reg.Value.Labels) == 0 {
				skip("no labels")
				continue
			}
			for _, l := range reg.Value.Labels {
				if labels != nil && !contains(labels, l) {
					skip("label %q is not one of the schema's labels", l)
					continue
				}
				k := key{r.Start, r.End, l}
				if seen[k] {
					continue
				}
				seen[k] = true
				ans.Suggestions = append(ans.Suggestions, Suggestion{Start: r.Start, End: r.End, Label: l,
					Text: text[r.Start:r.End], Source: SourceModel, Score: score})
			}
		}
	}
	return ans
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// regionRange converts a region's offsets to bytes: code points if they
// select the region's text, else UTF-16 units if those do; then trims white
// space at the edges.
func regionRange(text string, index *model.RuneIndex, reg lsRegion) (model.Range, error) {
	v := reg.Value
	if v.Start == nil || v.End == nil {
		return model.Range{}, errors.New("no start or end")
	}
	start, err1 := v.Start.Int64()
	end, err2 := v.End.Int64()
	if err1 != nil || err2 != nil {
		return model.Range{}, fmt.Errorf("offsets %s-%s are not whole numbers", v.Start, v.End)
	}
	if v.Text == nil || *v.Text == "" {
		return model.Range{}, fmt.Errorf("offsets %d-%d come without their text, so they cannot be checked", start, end)
	}
	want := *v.Text
	bs, errS := index.Bytes(int(start))
	be, errE := index.Bytes(int(end))
	r := model.Range{Start: bs, End: be}
	if errS != nil || errE != nil || model.CheckRange(text, bs, be) != nil || text[bs:be] != want {
		bs, errS = model.BytesFromUTF16(text, int(start))
		be, errE = model.BytesFromUTF16(text, int(end))
		if start < 0 || errS != nil || errE != nil || model.CheckRange(text, bs, be) != nil || text[bs:be] != want {
			return model.Range{}, fmt.Errorf("offsets %d-%d do not select %q, in code points or UTF-16 units", start, end, want)
		}
		r = model.Range{Start: bs, End: be}
	}
	t, ok := model.TrimBlank(text, r)
	if !ok {
		return model.Range{}, fmt.Errorf("%q is only white space", want)
	}
	return t, nil
}
