package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ReadDotEnv reads NAME=value lines from path, such as .env. A missing file
// is no error and gives an empty map. Every malformed line is an error
// naming the file and line; errors never quote a value, which may be a
// password. Supported: blank lines, # comments, an optional "export "
// prefix, 'literal' and "escaped" values (\n, \", \\), and unquoted values
// with a trailing " # comment".
func ReadDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	vars := map[string]string{}
	lineOf := map[string]int{}
	var errs []error
	text := strings.TrimPrefix(string(data), "\uFEFF") // editors on Windows add a BOM
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		name, value, err := parseDotEnvLine(line)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s line %d: %w", path, n, err))
		case name == "":
		case lineOf[name] != 0:
			errs = append(errs, fmt.Errorf("%s line %d: %s is already set on line %d", path, n, name, lineOf[name]))
		default:
			vars[name] = value
			lineOf[name] = n
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return vars, nil
}

// parseDotEnvLine returns an empty name for a blank or comment line. Its
// errors say what is wrong without quoting the line.
func parseDotEnvLine(line string) (name, value string, err error) {
	line = strings.TrimSpace(line) // also drops the \r of CRLF files
	if line == "" || line[0] == '#' {
		return "", "", nil
	}
	if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimSpace(rest)
	}
	name, raw, ok := strings.Cut(line, "=")
	if !ok {
		return "", "", errors.New("want NAME=value")
	}
	name = strings.TrimSpace(name)
	if !envName.MatchString(name) {
		return "", "", errors.New("want a name of letters, digits and _, not starting with a digit")
	}
	v := strings.TrimLeft(raw, " \t")
	if v == "" || (v[0] != '\'' && v[0] != '"') {
		// A # starts a comment only after a blank, so a#b stays a value.
		for j := 1; j < len(raw); j++ {
			if raw[j] == '#' && (raw[j-1] == ' ' || raw[j-1] == '\t') {
				raw = raw[:j]
				break
			}
		}
		return name, strings.TrimSpace(raw), nil
	}
	var b strings.Builder
	end := -1
	for i := 1; i < len(v) && end < 0; i++ {
		switch c := v[i]; {
		case c == v[0]:
			end = i
		case c == '\\' && v[0] == '"':
			if i++; i == len(v) {
				return "", "", errors.New("unterminated quote")
			}
			switch v[i] {
			case 'n':
				b.WriteByte('\n')
			case '"', '\\':
				b.WriteByte(v[i])
			default:
				return "", "", errors.New(`unknown escape in double quotes; use \n, \" or \\`)
			}
		default:
			b.WriteByte(c)
		}
	}
	if end < 0 {
		return "", "", errors.New("unterminated quote")
	}
	if after := strings.TrimSpace(v[end+1:]); after != "" && after[0] != '#' {
		return "", "", errors.New("text after the closing quote")
	}
	return name, b.String(), nil
}
