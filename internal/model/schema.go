package model

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Field types an incident form field can have.
const (
	FieldText        = "text"
	FieldNumber      = "number"
	FieldCount       = "count"
	FieldDate        = "date"
	FieldChoice      = "choice"
	FieldMultiChoice = "multichoice"
	FieldEntity      = "entity"
)

// FieldTypes lists the field types a schema may use.
var FieldTypes = []string{FieldText, FieldNumber, FieldCount, FieldDate, FieldChoice, FieldMultiChoice, FieldEntity}

// Label is an entity label: its name, the key that applies it, and the colour
// it is drawn in.
type Label struct {
	Name        string `json:"name"`
	Key         string `json:"key,omitempty"`
	Color       string `json:"color,omitempty"`
	Description string `json:"description,omitempty"`
	// Registry marks a label whose entities are kept in the registry
	// across articles (named actors and places); dates, numbers and
	// other labels left unmarked never enter it. See KeepsInRegistry.
	Registry *bool `json:"registry,omitempty"`
}

// Code is one entry of a code list.
type Code struct {
	Code  string `json:"code"`
	Label string `json:"label,omitempty"`
	Group string `json:"group,omitempty"`
}

// Display returns "label" when the code has one, else the code itself.
func (c Code) Display() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Code
}

// Field is one incident form field.
type Field struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Label   string `json:"label,omitempty"`
	Choices []Code `json:"choices,omitempty"`
	// Max bounds how many values a multichoice field takes (0: no bound).
	Max int `json:"max,omitempty"`
	// Labels restricts an entity field to spans with these labels.
	Labels []string `json:"labels,omitempty"`
	// Multiple lets an entity field reference several spans.
	Multiple bool `json:"multiple,omitempty"`
}

// Title is the label to show for the field.
func (f Field) Title() string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// Choice returns the code in the field's list, if any.
func (f Field) Choice(code string) (Code, bool) {
	for _, c := range f.Choices {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// ClaimVocabulary holds the code lists of claim records.
type ClaimVocabulary struct {
	Types        []string `json:"types"`
	Polarities   []string `json:"polarities"`
	Certainties  []string `json:"certainties"`
	Stances      []string `json:"stances"`
	FigureCounts []string `json:"figure_counts,omitempty"`
}

// Schema is what can be recorded about an article: entity labels, claim
// vocabulary, reliability grades and the incident form.
type Schema struct {
	Name              string          `json:"name"`
	Version           int             `json:"version"`
	Labels            []Label         `json:"labels"`
	Claims            ClaimVocabulary `json:"claims"`
	SourceGrades      []Code          `json:"source_grades"`
	CredibilityGrades []Code          `json:"credibility_grades"`
	Fields            []Field         `json:"fields"`
	// Registry holds the registry's settings, stored with the schema.
	Registry *RegistrySettings `json:"registry,omitempty"`
}

// RegistrySettings are a team's choices about its entity registry.
type RegistrySettings struct {
	// Shared offers every annotator every entry, alias and grade
	// (consistency over independence). Off, annotators stay independent:
	// what an annotator's own tagging or linking made is suggested to
	// that annotator only until it is confirmed or added on purpose
	// (RegistryEntry.OfferedTo).
	Shared bool `json:"shared"`
}

// RegistryShared reports whether the schema's registry is shared.
func (s *Schema) RegistryShared() bool { return s != nil && s.Registry != nil && s.Registry.Shared }

// defaultRegistryLabels are the labels kept in the registry by a schema
// that marks none (one written before the flag): the built-in schema's.
var defaultRegistryLabels = []string{"ORG", "PER", "NORP", "GPE", "LOC", "FAC"}

// KeepsInRegistry reports whether entities of the label may enter the
// registry and be suggested from it: the label is the schema's and marked
// "registry": true. A schema that marks no label either way (written
// before the flag) keeps the built-in schema's: ORG, PER, NORP, GPE, LOC
// and FAC.
func (s *Schema) KeepsInRegistry(label string) bool {
	if s == nil {
		return false
	}
	marked := false
	for _, l := range s.Labels {
		if l.Registry != nil {
			marked = true
		}
	}
	for _, l := range s.Labels {
		if l.Name == label {
			if marked {
				return l.Registry != nil && *l.Registry
			}
			return slices.Contains(defaultRegistryLabels, label)
		}
	}
	return false
}

// RegistryLabels lists the labels KeepsInRegistry keeps, in the schema's
// order.
func (s *Schema) RegistryLabels() []string {
	var out []string
	if s == nil {
		return out
	}
	for _, l := range s.Labels {
		if s.KeepsInRegistry(l.Name) {
			out = append(out, l.Name)
		}
	}
	return out
}

//go:embed default_schema.json
var defaultSchemaJSON []byte

// DefaultSchemaJSON returns the embedded default schema's source, for users
// who want to start their own from it.
func DefaultSchemaJSON() []byte { return append([]byte(nil), defaultSchemaJSON...) }

// DefaultSchema returns the default conflict-incident schema of DOMAIN.md.
func DefaultSchema() *Schema {
	s, err := ParseSchema(defaultSchemaJSON, "default schema")
	if err != nil {
		// The default schema is part of the binary and covered by tests.
		panic(err)
	}
	return s
}

// Label returns the label with the given name.
func (s *Schema) Label(name string) (Label, bool) {
	for _, l := range s.Labels {
		if l.Name == name {
			return l, true
		}
	}
	return Label{}, false
}

// Field returns the incident field with the given name.
func (s *Schema) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

var hexColour = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// ParseSchema reads a schema from JSON and checks it. source names the file
// in error messages, which say where the problem is and what it is.
func ParseSchema(data []byte, source string) (*Schema, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var s Schema
	if err := dec.Decode(&s); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			// Offset counts the offending byte itself.
			line, col := lineCol(data, int(syn.Offset)-1)
			return nil, fmt.Errorf("%s:%d:%d: schema is not valid JSON: %v", source, line, col, syn)
		case errors.As(err, &typ):
			line, col := lineCol(data, int(typ.Offset))
			return nil, fmt.Errorf("%s:%d:%d: %s must be %s, not %s", source, line, col, typ.Field, typ.Type, typ.Value)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			line, col := lineCol(data, len(data))
			return nil, fmt.Errorf("%s:%d:%d: schema is not valid JSON: it ends before its closing brace", source, line, col)
		}
		return nil, fmt.Errorf("%s: schema: %v", source, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, int(dec.InputOffset()))
		return nil, fmt.Errorf("%s:%d:%d: text after the schema's closing brace: a schema file holds one JSON object", source, line, col)
	}
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &s, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Check verifies the schema is usable: names present and unique, keys
// unique, colours well formed, field types known, choice lists present.
func (s *Schema) Check() error {
	if strings.TrimSpace(s.Name) == "" {
		return errors.New(`schema has no "name"`)
	}
	if len(s.Labels) == 0 {
		return errors.New(`schema has no "labels"`)
	}
	names := map[string]int{}
	keys := map[string]int{}
	for i, l := range s.Labels {
		where := fmt.Sprintf("labels[%d] (%q)", i, l.Name)
		if strings.TrimSpace(l.Name) == "" {
			return fmt.Errorf("labels[%d]: label has no name", i)
		}
		for _, n := range [][2]string{{"label name", l.Name}, {"key", l.Key}, {"description", l.Description}} {
			if err := CheckName(n[0], n[1]); err != nil {
				return fmt.Errorf("labels[%d]: %w", i, err)
			}
		}
		if j, ok := names[l.Name]; ok {
			return fmt.Errorf("%s: duplicate label, already labels[%d]", where, j)
		}
		names[l.Name] = i
		if l.Key != "" {
			if len([]rune(l.Key)) != 1 {
				return fmt.Errorf("%s: key %q must be a single character", where, l.Key)
			}
			if j, ok := keys[l.Key]; ok {
				return fmt.Errorf("%s: key %q is used twice, also by labels[%d] (%q)", where, l.Key, j, s.Labels[j].Name)
			}
			keys[l.Key] = i
		}
		if l.Color != "" && !hexColour.MatchString(l.Color) {
			return fmt.Errorf("%s: colour %q must look like #RRGGBB", where, l.Color)
		}
	}
	for _, list := range []struct {
		name  string
		codes []Code
	}{{"source_grades", s.SourceGrades}, {"credibility_grades", s.CredibilityGrades}} {
		seen := map[string]bool{}
		for i, c := range list.codes {
			if c.Code == "" {
				return fmt.Errorf("%s[%d]: empty code", list.name, i)
			}
			if err := checkCodeNames(c); err != nil {
				return fmt.Errorf("%s[%d]: %w", list.name, i, err)
			}
			if seen[c.Code] {
				return fmt.Errorf("%s[%d]: duplicate code %q", list.name, i, c.Code)
			}
			seen[c.Code] = true
		}
	}
	fields := map[string]int{}
	for i, f := range s.Fields {
		where := fmt.Sprintf("fields[%d] (%q)", i, f.Name)
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("fields[%d]: field has no name", i)
		}
		for _, n := range [][2]string{{"field name", f.Name}, {"field title", f.Label}} {
			if err := CheckName(n[0], n[1]); err != nil {
				return fmt.Errorf("fields[%d]: %w", i, err)
			}
		}
		if j, ok := fields[f.Name]; ok {
			return fmt.Errorf("%s: duplicate field, already fields[%d]", where, j)
		}
		fields[f.Name] = i
		known := false
		for _, t := range FieldTypes {
			known = known || f.Type == t
		}
		if !known {
			return fmt.Errorf("%s: unknown field type %q (use one of %s)", where, f.Type, strings.Join(FieldTypes, ", "))
		}
		if (f.Type == FieldChoice || f.Type == FieldMultiChoice) && len(f.Choices) == 0 {
			return fmt.Errorf("%s: a %s field needs \"choices\"", where, f.Type)
		}
		seen := map[string]bool{}
		for j, c := range f.Choices {
			if c.Code == "" {
				return fmt.Errorf("%s: choices[%d] has no code", where, j)
			}
			if err := checkCodeNames(c); err != nil {
				return fmt.Errorf("%s: choices[%d]: %w", where, j, err)
			}
			if seen[c.Code] {
				return fmt.Errorf("%s: choices[%d]: duplicate code %q", where, j, c.Code)
			}
			seen[c.Code] = true
		}
		for _, l := range f.Labels {
			if _, ok := names[l]; !ok {
				return fmt.Errorf("%s: refers to unknown label %q", where, l)
			}
		}
	}
	return nil
}

// checkCodeNames refuses a code, its label or group holding control characters.
func checkCodeNames(c Code) error {
	for _, n := range [][2]string{{"code", c.Code}, {"code label", c.Label}, {"group", c.Group}} {
		if err := CheckName(n[0], n[1]); err != nil {
			return err
		}
	}
	return nil
}
