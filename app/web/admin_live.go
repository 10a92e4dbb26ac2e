package web

import (
	"bytes"
	"context"
	"html/template"
	"strconv"
	"strings"

	"github.com/dreamerscave/tdc/app/live"
)

// Live back-office pages. The hub knows no session, so it never sends
// admin content: an entity's page follows its admin topic (live.AdminTopic,
// fed by live.AdminTwin from what the services publish), whose frame is an
// empty marker carrying the entity's new version. admin.js sees the marker
// swapped in and fetches the page again with the editor's own session: it
// swaps in the fields shown and the status, lineup and history, and beside
// a field being edited whose value changed it shows a notice, keeping what
// the editor typed (the save then answers with the 409 flow).

// adminRev is the marker of one entity's version on its back-office page.
type adminRev struct {
	Topic   string // "admin:event:12"
	Version int64
}

// DOMID is the marker's id: the topic, spelled for HTML.
func (r adminRev) DOMID() string {
	return "admin-rev-" + strings.ReplaceAll(strings.TrimPrefix(r.Topic, "admin:"), ":", "-")
}

// Marker is the marker as the page shows it.
func (r adminRev) Marker() template.HTML { return template.HTML(r.html(false)) }

// html spells the marker; the frame marks it out of band. The id is made
// of a topic ValidTopic accepted (lower-case letters, digits, dashes), so
// nothing in it needs escaping.
func (r adminRev) html(oob bool) string {
	var b strings.Builder
	b.WriteString(`<div hidden id="`)
	b.WriteString(r.DOMID())
	b.WriteString(`" data-admin-rev data-version="`)
	b.WriteString(strconv.FormatInt(r.Version, 10))
	b.WriteString(`"`)
	if oob {
		b.WriteString(` hx-swap-oob="true"`)
	}
	b.WriteString(`></div>`)
	return b.String()
}

// follow makes the page live: it opens the socket on topic and carries
// the marker of version.
func (b *adminBase) follow(topic string, version int64) {
	b.Socket = liveURL(topic)
	b.Rev = &adminRev{Topic: topic, Version: version}
}

// renderAdminTopic renders the frame of an admin topic (rest is what
// follows "admin:"): the entity's marker at its current version, nothing
// else. An entity that does not exist is apperr.ErrNotFound, which
// RenderTopic turns into live.ErrUnknownTopic, as for public topics.
func (s *Server) renderAdminTopic(ctx context.Context, out *bytes.Buffer, rest string) error {
	topic := "admin:" + rest
	if !live.ValidTopic(topic) {
		return live.ErrUnknownTopic
	}
	v, err := s.adminVersion(ctx, rest)
	if err != nil {
		return err
	}
	out.WriteString(adminRev{Topic: topic, Version: v}.html(true))
	return nil
}

// adminVersion is the current version of what admin topic rest names.
func (s *Server) adminVersion(ctx context.Context, rest string) (int64, error) {
	if rest == live.TopicSettings {
		return s.settingsVersion(ctx)
	}
	kind, raw, _ := strings.Cut(rest, ":")
	id, ok := topicID(raw)
	if !ok {
		return 0, live.ErrUnknownTopic
	}
	switch kind {
	case live.AdminEvent:
		d, err := s.Events.AdminGet(ctx, id)
		return int64(d.Version), err
	case live.AdminLocation:
		d, err := s.Locations.AdminGet(ctx, id)
		return int64(d.Version), err
	case live.AdminArtist:
		d, err := s.Artists.AdminGet(ctx, id)
		return int64(d.Version), err
	case live.AdminPost:
		d, err := s.Blog.AdminGet(ctx, id)
		return int64(d.Version), err
	}
	return 0, live.ErrUnknownTopic
}

// settingsVersion stands for the settings page's version: each save of a
// setting or flag raises one of theirs, so their sum grows with every save.
func (s *Server) settingsVersion(ctx context.Context) (int64, error) {
	entries, err := s.Settings.List(ctx)
	if err != nil {
		return 0, err
	}
	flags, err := s.Settings.Flags(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, e := range entries {
		v += int64(e.Version)
	}
	for _, f := range flags {
		v += int64(f.Version)
	}
	return v, nil
}
