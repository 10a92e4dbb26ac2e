package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadDotEnv(t *testing.T) {
	t.Parallel()
	const pw = "s3cr3t-PW" // in every bad line, so errors can be checked for it
	cases := []struct {
		name, file string
		want       map[string]string
		wantErr    string // with the file's path before it
	}{
		{"empty", "", map[string]string{}, ""},
		{"blanks and comments", "\n# TDC_ADDR=:1\n   \n\t# x\n", map[string]string{}, ""},
		{"plain", "TDC_ADDR=:9090\n", map[string]string{"TDC_ADDR": ":9090"}, ""},
		{"export and spaces", "export  TDC_ADDR = :9090  \n", map[string]string{"TDC_ADDR": ":9090"}, ""},
		{"name export", "export=1", map[string]string{"export": "1"}, ""},
		{"crlf and bom", "\uFEFFA=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}, ""},
		{"empty value", "A=\nB= # nothing", map[string]string{"A": "", "B": ""}, ""},
		{"comment after value", "A=x # y\nB=x\t# y", map[string]string{"A": "x", "B": "x"}, ""},
		{"hash inside value", "A=a#b\nB=#b", map[string]string{"A": "a#b", "B": "#b"}, ""},
		{"equals in value", "DSN=u:p=w@tcp(h)/db?a=b", map[string]string{"DSN": "u:p=w@tcp(h)/db?a=b"}, ""},
		{"single quotes literal", `A='x \n "y" # z'`, map[string]string{"A": `x \n "y" # z`}, ""},
		{"double quote escapes", `A="l1\nl2 \"q\" \\ # no comment"`, map[string]string{"A": "l1\nl2 \"q\" \\ # no comment"}, ""},
		{"quote then comment", `A='x' # y` + "\n" + `B="y"#z`, map[string]string{"A": "x", "B": "y"}, ""},
		{"empty quotes", `A=''` + "\n" + `B=""`, map[string]string{"A": "", "B": ""}, ""},
		{"underscore name", "_A1=x", map[string]string{"_A1": "x"}, ""},

		{"no equals", "A=1\n" + pw + "\n", nil, "line 2: want NAME=value"},
		{"export without equals", "export " + pw, nil, "line 1: want NAME=value"},
		{"name starts with digit", "1A=" + pw, nil, "line 1: want a name"},
		{"name with dash", "\nTDC-ADDR=" + pw, nil, "line 2: want a name"},
		{"name with space", "A B=" + pw, nil, "line 1: want a name"},
		{"empty name", "=" + pw, nil, "line 1: want a name"},
		{"unterminated single", "A='" + pw, nil, "line 1: unterminated quote"},
		{"unterminated double", `A="` + pw + `\"`, nil, "line 1: unterminated quote"},
		{"backslash at end", `A="` + pw + `\`, nil, "line 1: unterminated quote"},
		{"unknown escape", `A="` + pw + `\t"`, nil, "line 1: unknown escape"},
		{"text after quote", "# c\n\nA='x' " + pw, nil, "line 3: text after the closing quote"},
		{"multi-line double quote", "A=\"" + pw + "\nB\"", nil, "line 1: unterminated quote"},
		{"duplicate", "A=1\nB=2\nA=" + pw, nil, "line 3: A is already set on line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ".env")
			require.NoError(t, os.WriteFile(path, []byte(tc.file), 0o600))
			got, err := ReadDotEnv(path)
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				return
			}
			require.ErrorContains(t, err, path+" "+tc.wantErr)
			require.NotContains(t, err.Error(), pw)
		})
	}
}

func TestReadDotEnvReportsEveryBadLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(path, []byte("A\nB=1\nC\n"), 0o600))
	_, err := ReadDotEnv(path)
	require.ErrorContains(t, err, "line 1:")
	require.ErrorContains(t, err, "line 3:")
}

func TestReadDotEnvMissingFile(t *testing.T) {
	t.Parallel()
	got, err := ReadDotEnv(filepath.Join(t.TempDir(), ".env"))
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestReadDotEnvUnreadable(t *testing.T) {
	t.Parallel()
	_, err := ReadDotEnv(t.TempDir()) // a directory
	require.ErrorContains(t, err, "config:")
}
