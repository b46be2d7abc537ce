package model

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestDefaultSchema(t *testing.T) {
	s := DefaultSchema()
	if s.Name == "" || s.Version < 1 {
		t.Errorf("name %q, version %d: want a name and a version >= 1", s.Name, s.Version)
	}

	wantLabels := []string{"ORG", "PER", "NORP", "GPE", "LOC", "FAC", "VEH", "WEA", "TIME", "COUNT"}
	var names, keys []string
	for _, l := range s.Labels {
		names = append(names, l.Name)
		keys = append(keys, l.Key)
		if !hexColour.MatchString(l.Color) {
			t.Errorf("label %s: colour %q is not #RRGGBB", l.Name, l.Color)
		}
		if l.Description == "" {
			t.Errorf("label %s has no description", l.Name)
		}
	}
	if !slices.Equal(names, wantLabels) {
		t.Errorf("labels = %v, want %v", names, wantLabels)
	}
	slices.Sort(keys)
	if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; !slices.Equal(keys, want) {
		t.Errorf("label keys (sorted) = %v, want each of 0-9 once", keys)
	}

	codes := func(list []Code) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.Code)
		}
		return out
	}
	if got, want := codes(s.SourceGrades), []string{"A", "B", "C", "D", "E", "F"}; !slices.Equal(got, want) {
		t.Errorf("source grades = %v, want %v", got, want)
	}
	if got, want := codes(s.CredibilityGrades), []string{"1", "2", "3", "4", "5", "6"}; !slices.Equal(got, want) {
		t.Errorf("credibility grades = %v, want %v", got, want)
	}
	if want := []string{"responsibility", "casualties", "damage", "occurrence", "territorial", "denial", "other"}; !slices.Equal(s.Claims.Types, want) {
		t.Errorf("claim types = %v, want %v", s.Claims.Types, want)
	}

	// The incident form of DOMAIN.md: each field with its type and, for
	// lists, their size.
	fields := []struct {
		name, typ string
		choices   int
		max       int
	}{
		{"event_type", FieldChoice, 25, 0},
		{"status", FieldChoice, 6, 0},
		{"date", FieldDate, 0, 0},
		{"location", FieldEntity, 0, 0},
		{"perpetrators", FieldEntity, 0, 0},
		{"targets", FieldEntity, 0, 0},
		{"target_type", FieldMultiChoice, 22, 3},
		{"tactics", FieldMultiChoice, 9, 3},
		{"weapons", FieldMultiChoice, 13, 4},
		{"killed", FieldCount, 0, 0},
		{"wounded", FieldCount, 0, 0},
		{"kidnapped", FieldNumber, 0, 0},
		{"hostage_outcome", FieldChoice, 7, 0},
		{"claimed_by", FieldEntity, 0, 0},
		{"notes", FieldText, 0, 0},
	}
	for _, want := range fields {
		f, ok := s.Field(want.name)
		if !ok {
			t.Errorf("field %s is missing", want.name)
			continue
		}
		if f.Type != want.typ || len(f.Choices) != want.choices || f.Max != want.max {
			t.Errorf("field %s: type %s, %d choices, max %d; want %s, %d, %d",
				want.name, f.Type, len(f.Choices), f.Max, want.typ, want.choices, want.max)
		}
	}
	if loc, _ := s.Field("location"); !slices.Equal(loc.Labels, []string{"GPE", "LOC", "FAC"}) {
		t.Errorf("location takes %v, want GPE, LOC, FAC", loc.Labels)
	}
}

// TestDefaultSchemaJSONIsACopy: a caller editing the returned bytes must not
// change the schema later sessions parse.
func TestDefaultSchemaJSONIsACopy(t *testing.T) {
	data := DefaultSchemaJSON()
	for i := range data {
		data[i] = 'x'
	}
	if _, err := ParseSchema(DefaultSchemaJSON(), "default"); err != nil {
		t.Fatalf("default schema no longer parses after editing a copy: %v", err)
	}
}

// TestSchemaJSONRoundTrip: the store keeps a schema as JSON, so writing one
// and parsing it back must give the same schema.
func TestSchemaJSONRoundTrip(t *testing.T) {
	s := DefaultSchema()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSchema(data, "round trip")
	if err != nil {
		t.Fatalf("parse the schema we wrote: %v", err)
	}
	if !reflect.DeepEqual(s, back) {
		t.Errorf("schema changed in a JSON round trip:\n got %+v\nwant %+v", back, s)
	}
}

// smallSchema is a valid schema each error case below breaks in one place.
func smallSchema() *Schema {
	return &Schema{
		Name:    "test",
		Version: 1,
		Labels: []Label{
			{Name: "ORG", Key: "1", Color: "#4E9BE6"},
			{Name: "PER", Key: "2", Color: "#e5a23b"},
			{Name: "GPE", Key: "3"},
		},
		SourceGrades:      []Code{{Code: "A"}, {Code: "B"}},
		CredibilityGrades: []Code{{Code: "1"}, {Code: "2"}},
		Fields: []Field{
			{Name: "event_type", Type: FieldChoice, Choices: []Code{{Code: "Armed clash"}, {Code: "Attack"}}},
			{Name: "weapons", Type: FieldMultiChoice, Max: 2, Choices: []Code{{Code: "5"}, {Code: "6"}}},
			{Name: "location", Type: FieldEntity, Labels: []string{"GPE"}},
			{Name: "killed", Type: FieldCount},
		},
	}
}

func TestParseSchemaErrors(t *testing.T) {
	if _, err := ParseSchema(mustJSON(t, smallSchema()), "test.json"); err != nil {
		t.Fatalf("the base schema of this test is refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(s *Schema)
		// want are the parts of the message: where and what.
		want []string
	}{
		{"no name", func(s *Schema) { s.Name = " " }, []string{`schema has no "name"`}},
		{"no labels", func(s *Schema) { s.Labels = nil }, []string{`schema has no "labels"`}},
		{"label without name", func(s *Schema) { s.Labels[1].Name = "" }, []string{"labels[1]", "label has no name"}},
		{"duplicate label", func(s *Schema) { s.Labels[2].Name = "ORG" }, []string{`labels[2] ("ORG")`, "duplicate label", "labels[0]"}},
		{"key used twice", func(s *Schema) { s.Labels[2].Key = "1" }, []string{`labels[2] ("GPE")`, `key "1" is used twice`, `labels[0] ("ORG")`}},
		{"key of two characters", func(s *Schema) { s.Labels[0].Key = "10" }, []string{`labels[0] ("ORG")`, `key "10"`, "single character"}},
		{"colour without #", func(s *Schema) { s.Labels[1].Color = "E5A23B" }, []string{`labels[1] ("PER")`, `colour "E5A23B"`, "#RRGGBB"}},
		{"colour too short", func(s *Schema) { s.Labels[1].Color = "#FFF" }, []string{`labels[1] ("PER")`, `colour "#FFF"`}},
		{"colour by name", func(s *Schema) { s.Labels[0].Color = "red" }, []string{`labels[0] ("ORG")`, `colour "red"`}},
		{"colour not hex", func(s *Schema) { s.Labels[0].Color = "#GGGGGG" }, []string{`labels[0] ("ORG")`, `colour "#GGGGGG"`}},
		{"empty source grade", func(s *Schema) { s.SourceGrades[1].Code = "" }, []string{"source_grades[1]", "empty code"}},
		{"duplicate credibility grade", func(s *Schema) { s.CredibilityGrades[1].Code = "1" }, []string{"credibility_grades[1]", `duplicate code "1"`}},
		{"field without name", func(s *Schema) { s.Fields[0].Name = "" }, []string{"fields[0]", "field has no name"}},
		{"duplicate field", func(s *Schema) { s.Fields[3].Name = "weapons" }, []string{`fields[3] ("weapons")`, "duplicate field", "fields[1]"}},
		{"unknown field type", func(s *Schema) { s.Fields[3].Type = "float" }, []string{`fields[3] ("killed")`, `unknown field type "float"`, "count"}},
		{"empty field type", func(s *Schema) { s.Fields[3].Type = "" }, []string{`fields[3] ("killed")`, `unknown field type ""`}},
		{"choice without choices", func(s *Schema) { s.Fields[0].Choices = nil }, []string{`fields[0] ("event_type")`, `a choice field needs "choices"`}},
		{"multichoice without choices", func(s *Schema) { s.Fields[1].Choices = nil }, []string{`fields[1] ("weapons")`, `a multichoice field needs "choices"`}},
		{"choice without code", func(s *Schema) { s.Fields[0].Choices[1].Code = "" }, []string{`fields[0] ("event_type")`, "choices[1] has no code"}},
		{"duplicate choice", func(s *Schema) { s.Fields[1].Choices[1].Code = "5" }, []string{`fields[1] ("weapons")`, "choices[1]", `duplicate code "5"`}},
		{"entity field with unknown label", func(s *Schema) { s.Fields[2].Labels = []string{"GPE", "PLACE"} }, []string{`fields[2] ("location")`, `unknown label "PLACE"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smallSchema()
			tt.change(s)
			_, err := ParseSchema(mustJSON(t, s), "test.json")
			if err == nil {
				t.Fatalf("ParseSchema accepted the schema, want an error containing %q", tt.want)
			}
			want := append([]string{"test.json: "}, tt.want...)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestParseSchemaBadJSON: errors in the file itself name the line and column
// (or the key) so the user can find them in an editor.
func TestParseSchemaBadJSON(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{
			name: "trailing comma",
			data: "{\n  \"name\": \"x\",\n  \"labels\": [{\"name\": \"ORG\",}]\n}",
			want: []string{"test.json:3:", "not valid JSON"},
		},
		{
			name: "missing comma",
			data: "{\n  \"name\": \"x\"\n  \"labels\": []\n}",
			want: []string{"test.json:3:", "not valid JSON"},
		},
		{
			name: "truncated",
			data: `{"name": "x", "labels": [`,
			want: []string{"test.json"},
		},
		{
			name: "empty",
			data: "",
			want: []string{"test.json"},
		},
		{
			name: "wrong type",
			data: "{\n  \"name\": \"x\",\n  \"version\": \"one\"\n}",
			want: []string{"test.json:3:", "version", "int", "string"},
		},
		{
			name: "unknown top-level key",
			data: `{"name": "x", "labels": [{"name": "ORG"}], "colour_scheme": "dark"}`,
			want: []string{"test.json", `unknown field "colour_scheme"`},
		},
		{
			name: "unknown key in a label",
			data: `{"name": "x", "labels": [{"name": "ORG", "colour": "#FFFFFF"}]}`,
			want: []string{"test.json", `unknown field "colour"`},
		},
	}
	lineCol := regexp.MustCompile(`test\.json:\d+:\d+: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchema([]byte(tt.data), "test.json")
			if err == nil {
				t.Fatalf("ParseSchema accepted %q", tt.data)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.HasPrefix(tt.want[0], "test.json:") && !lineCol.MatchString(err.Error()) {
				t.Errorf("error %q does not give file:line:col", err)
			}
		})
	}
}

// TestParseSchemaErrorColumn pins where a syntax error points: the line
// and column (from 1) of the offending character.
func TestParseSchemaErrorColumn(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		// Line 3 is `  "labels": [{"name": "ORG",}]`: the stray '}' is column 29.
		{"trailing comma", "{\n  \"name\": \"x\",\n  \"labels\": [{\"name\": \"ORG\",}]\n}", "test.json:3:29:"},
		// Line 1 is `{"name": "x" "labels": []}`: the second '"' without a comma before it is column 14.
		{"missing comma", `{"name": "x" "labels": []}`, "test.json:1:14:"},
		// Line 2 is `  "name": "x` and the string runs into the line end, column 13.
		{"newline in string", "{\n  \"name\": \"x\n}", "test.json:2:13:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchema([]byte(tt.data), "test.json")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start with %s", err, tt.want)
			}
		})
	}
}

// TestParseSchemaTrailingData: a file holding more than one JSON value (a
// paste gone wrong, an extra brace) is not a schema.
func TestParseSchemaTrailingData(t *testing.T) {
	base := string(mustJSON(t, smallSchema()))
	for _, tail := range []string{"}", `{"name": "other"}`, "garbage"} {
		if _, err := ParseSchema([]byte(base+"\n"+tail), "test.json"); err == nil {
			t.Errorf("a schema file with a trailing %q is accepted", tail)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
