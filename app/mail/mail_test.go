package mail_test

import (
	"bytes"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// A message goes through a real SMTP conversation, with AUTH PLAIN, and
// arrives with its subject, text and HTML intact.
func TestSMTPSends(t *testing.T) {
	t.Parallel()
	srv := testenv.SMTP(t, "club", "s3cret pass")
	s, err := mail.NewSMTP(srv.URL, "The Dreamer's Cave <club@example.org>")
	require.NoError(t, err)
	err = s.Send(t.Context(), mail.Message{
		To: "ada@example.org", Subject: "Grüße aus der Höhle <3",
		Text: "Hallo Ada,\nhttps://club.example/verify?token=abc_-123\n", HTML: "<p>Hallo <b>Ada</b></p>",
	})
	require.NoError(t, err)
	got := srv.WaitFor(t, "ada@example.org", 0)
	require.Equal(t, "club@example.org", got.From)
	require.Equal(t, "Grüße aus der Höhle <3", got.Subject)
	require.Contains(t, got.Text, "Hallo Ada,")
	require.Equal(t, "https://club.example/verify?token=abc_-123", got.Link(t, "https://club.example/verify"))
	require.Contains(t, got.HTML, "<p>Hallo <b>Ada</b></p>")

	// The wrong password: the server refuses, and the error says so.
	bad, err := mail.NewSMTP(strings.Replace(srv.URL, "s3cret", "wrong", 1), "club@example.org")
	require.NoError(t, err)
	require.Error(t, bad.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "x", Text: "x"}))
	require.Len(t, srv.Messages(), 1)
}

func TestSMTPRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://host", "smtp://", "smtp://host:0", "smtp://host:99999", "smtp://host?tls=maybe", "smtps://host?tls=none", "::"} {
		_, err := mail.NewSMTP(u, "club@example.org")
		require.Error(t, err, u)
	}
	_, err := mail.NewSMTP("smtp://host", "not an address")
	require.Error(t, err)
	_, err = mail.NewSMTP("smtp://user:hunter2@host?tls=maybe", "club@example.org")
	require.NotContains(t, err.Error(), "hunter2")

	srv := testenv.SMTP(t)
	s, err := mail.NewSMTP(srv.URL, "club@example.org")
	require.NoError(t, err)
	require.Error(t, s.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "a\r\nBcc: eve@example.org", Text: "x"}), "no header injection")
	require.Error(t, s.Send(t.Context(), mail.Message{To: "not an address", Subject: "x", Text: "x"}))
	require.Empty(t, srv.Messages())
}

// Without TDC_SMTP_URL, mail is logged (for development).
func TestLogSender(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s, err := mail.New("", "club@example.org", slog.New(slog.NewTextHandler(&buf, nil)))
	require.NoError(t, err)
	require.IsType(t, &mail.Log{}, s)
	require.NoError(t, s.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hi", Text: "link https://x/verify"}))
	require.Contains(t, buf.String(), "ada@example.org")
	require.Contains(t, buf.String(), "https://x/verify")
	_, err = mail.New("smtp://", "club@example.org", slog.Default())
	require.Error(t, err)
}

// Every email renders in every language, with hostile names escaped in
// HTML and kept as typed in text, and says nothing in English to Germans.
func TestTemplatesRenderEveryEmail(t *testing.T) {
	t.Parallel()
	b, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	tm, err := mail.NewTemplates(emails.FS, b)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"verify", "reset", "signup-exists", "notify-reminder", "notify-announce", "notify-post"}, tm.Names())
	data := map[string]any{"Name": `<script>alert("x")</script>`, "Link": "https://club.example/x?token=a&b=1", "ResetLink": "https://club.example/reset", "Hours": 48, "Minutes": 60,
		"Title": `<b>Night</b>`, "Summary": `<i>sum</i>`, "When": "Fri 4 Dec, 9:00 PM SLT", "Unsubscribe": "https://club.example/unsubscribe/1-post-x"}
	for _, lang := range []string{"en", "de", "fr"} {
		for _, name := range tm.Names() {
			m, err := tm.Compose(lang, name, data)
			require.NoError(t, err, "%s/%s", lang, name)
			require.NotEmpty(t, m.Subject)
			require.NotContains(t, m.Subject, "\n")
			require.NotContains(t, m.HTML, "<script>")
			require.NotContains(t, m.HTML, "<b>Night")
			require.NotContains(t, m.Text, "email.", "%s/%s: untranslated message", lang, name)
			require.NotContains(t, m.HTML, "email.", "%s/%s: untranslated message", lang, name)
			require.Contains(t, m.Text, data["Name"].(string))
			require.Contains(t, m.Text, "https://club.example/")
		}
	}
	de, err := tm.Compose("de", "verify", data)
	require.NoError(t, err)
	require.Contains(t, de.Text, "Hallo")
	require.Contains(t, de.HTML, `lang="de"`)
	_, err = tm.Compose("en", "nope", data)
	require.Error(t, err)
	_, err = tm.Compose("en", "verify", map[string]any{})
	require.Error(t, err, "a missing field is an error, not an empty link")
}

// Email templates hold no words of their own, like the pages.
func TestEmailTemplatesHaveNoLiteralText(t *testing.T) {
	t.Parallel()
	actions := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	word := regexp.MustCompile(`\p{L}{2,}`)
	err := fs.WalkDir(emails.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		src, err := fs.ReadFile(emails.FS, p)
		if err != nil {
			return err
		}
		text := tags.ReplaceAll(actions.ReplaceAll(src, nil), nil)
		require.Empty(t, word.FindAll(text, -1), "%s has literal text; use {{t \"...\"}}", p)
		return nil
	})
	require.NoError(t, err)
}
