package blog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkdownIsSanitised(t *testing.T) {
	t.Parallel()
	md := NewMarkdown()
	cases := []struct {
		name, src string
		want      []string
		never     []string
	}{
		{"script tag", "hi <script>alert(1)</script>", []string{"hi"}, []string{"<script", "alert(1)</script>"}},
		{"event handler", `<img src="/x.png" onerror="alert(1)">`, []string{`<img src="/x.png"`}, []string{"onerror"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"click"}, []string{"javascript:"}},
		{"html javascript link", `<a href="javascript:alert(1)">x</a>`, nil, []string{"javascript:"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"style attribute", `<p style="position:fixed">x</p>`, []string{"<p>x</p>"}, []string{"style="}},
		{"markdown kept", "# Title\n\n*em* and **strong**\n\n- a\n- b\n\n```go\nfmt.Println(1)\n```", []string{"<h1", "<em>em</em>", "<strong>strong</strong>", "<li>a</li>", "<pre><code", "fmt.Println(1)"}, nil},
		{"external links open safely", "[x](https://example.org)", []string{`href="https://example.org"`, `rel="noreferrer`, `target="_blank"`}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := md.HTML(tc.src)
			require.NoError(t, err)
			for _, w := range tc.want {
				require.Contains(t, string(out), w)
			}
			for _, n := range tc.never {
				require.NotContains(t, string(out), n)
			}
		})
	}
}
