package serve

import (
	"strings"
	"testing"
)

func TestParseAuthorizedKeys(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	tests := []struct {
		name string
		file string
		// want maps a key to the annotator it must give ("" for none);
		// wantErr is a part of the error, "" for none.
		want    map[string]string
		wantErr string
	}{
		{name: "comment names",
			file: "# team\n\n" + authorizedLine(alice, "", "alice") + "\n" + authorizedLine(bob, "", "bob@laptop") + "\n",
			want: map[string]string{"alice": "alice", "bob": "bob@laptop"}},
		{name: "annotator option wins over the comment",
			file: authorizedLine(alice, `annotator="Ana María"`, "ana@work") + "\r\n",
			want: map[string]string{"alice": "Ana María", "bob": ""}},
		{name: "quote inside the option",
			file: authorizedLine(alice, `annotator="A \"B\" C"`, ""),
			want: map[string]string{"alice": `A "B" C`}},
		{name: "harmless restrictions kept",
			file: authorizedLine(alice, `restrict,no-port-forwarding,annotator="alice"`, ""),
			want: map[string]string{"alice": "alice"}},
		{name: "no name", file: "\n" + authorizedLine(alice, "", ""), wantErr: "keys:2: no annotator name"},
		{name: "control character in the comment", file: authorizedLine(alice, "", "al\x1b[31mice"), wantErr: "keys:1: annotator name (the key's comment)"},
		{name: "control character in the option", file: authorizedLine(alice, "annotator=\"x\x07y\"", ""), wantErr: "keys:1: annotator name"},
		{name: "blank option", file: authorizedLine(alice, `annotator="  "`, "alice"), wantErr: "keys:1: annotator name is blank"},
		{name: "gold", file: authorizedLine(alice, "", "gold"), wantErr: "cannot be \"gold\""},
		{name: "unquoted option", file: authorizedLine(alice, `annotator=alice`, ""), wantErr: "double quotes"},
		{name: "a restriction annotate would not carry out", file: authorizedLine(alice, `from="10.0.0.1",annotator="alice"`, ""), wantErr: `keys:1: option "from"`},
		{name: "cert-authority", file: authorizedLine(alice, `cert-authority`, "alice"), wantErr: `option "cert-authority"`},
		{name: "broken line", file: authorizedLine(alice, "", "alice") + "\nssh-ed25519 AAAAnot-base64 bob\n", wantErr: "keys:2: not an OpenSSH public key line"},
		{name: "same key twice", file: authorizedLine(alice, "", "alice") + "\n" + authorizedLine(alice, "", "eve") + "\n", wantErr: "keys:2: key SHA256:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseAuthorizedKeys([]byte(tt.file), "keys")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for who, want := range tt.want {
				key := alice
				if who == "bob" {
					key = bob
				}
				got, ok := keys.Lookup(key.PublicKey())
				if want == "" {
					if ok {
						t.Errorf("%s's key gives %q, want no annotator", who, got)
					}
					continue
				}
				if !ok || got != want {
					t.Errorf("%s's key gives %q (%v), want %q", who, got, ok, want)
				}
			}
		})
	}
}
