package web

// STAND-IN: replaced by the real fragments at merge (app/web/live.go, built
// alongside the hub). It renders a placeholder for the two topics the hub's
// tests name, so /ws can be exercised end to end before the fragments exist.

import (
	"context"
	"fmt"
	"html/template"
	"strings"

	"github.com/dreamerscave/tdc/app/live"
)

// RenderTopic renders a placeholder oob element for topic (stand-in).
func (s *Server) RenderTopic(_ context.Context, topic string, v live.Viewer) ([]byte, error) {
	if topic != live.TopicEvents && !(strings.HasPrefix(topic, "location:") && strings.HasSuffix(topic, ":now-playing")) {
		return nil, live.ErrUnknownTopic
	}
	id := template.HTMLEscapeString(strings.ReplaceAll(topic, ":", "-"))
	return fmt.Appendf(nil, `<div id="live-%s" hx-swap-oob="true" lang="%s" data-zone="%s">%s</div>`,
		id, template.HTMLEscapeString(v.Lang), template.HTMLEscapeString(v.Zone), s.Now().UTC().Format("15:04:05")), nil
}
