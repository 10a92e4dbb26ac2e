// Package emails holds the email templates (see app/mail.Templates): for each
// email a NAME.txt with "subject" and "text" and a NAME.html with "html",
// framed by layout.html. They live apart from views.FS because the web
// renderer parses every page and fragment there for HTML pages.
package emails

import "embed"

// FS holds every email template.
//
//go:embed *.txt *.html
var FS embed.FS
