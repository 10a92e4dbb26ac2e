package live

import (
	"fmt"
	"strings"
)

// maxSlug bounds a slug in a topic; real slugs are far shorter.
const maxSlug = 128

// ValidTopic reports whether t is spelled as a topic: one of the lists
// (events, locations, artists, posts, settings), event:<id>,
// location:<slug>[:<part>], artist:<slug>, post:<slug>, or a back-office
// topic (admin:<kind>:<id>, admin:settings; see AdminTopic). It says nothing of
// whether a fragment shows it; the renderer decides that. The hub drops
// anything else a client names before it costs a render.
func ValidTopic(t string) bool {
	switch t {
	case TopicEvents, TopicLocations, TopicArtists, TopicPosts, TopicSettings:
		return true
	}
	kind, rest, ok := strings.Cut(t, ":")
	if !ok {
		return false
	}
	switch kind {
	case "event":
		return validID(rest)
	case "artist", "post":
		return validSlug(rest)
	case "location":
		slug, part, hasPart := strings.Cut(rest, ":")
		return validSlug(slug) && (!hasPart || validPart(part))
	case "admin":
		return validAdmin(rest)
	}
	return false
}

// The back office's topics. The hub knows no session, so an admin topic's
// frame says only that an entity changed and its new version; the page
// then fetches what changed with its own session. They are keyed by id,
// as the back office's addresses are: admin:event:<id>,
// admin:location:<id>, admin:artist:<id>, admin:post:<id>, and
// admin:settings for the settings page as a whole.
const (
	adminPrefix = "admin:"
	// TopicAdminSettings is the settings page of the back office.
	TopicAdminSettings = adminPrefix + TopicSettings
)

// Admin entity kinds, as admin topics spell them.
const (
	AdminEvent    = "event"
	AdminLocation = "location"
	AdminArtist   = "artist"
	AdminPost     = "post"
)

// AdminTopic is the back-office topic of entity kind's row id.
func AdminTopic(kind string, id int64) string {
	return fmt.Sprintf("%s%s:%d", adminPrefix, kind, id)
}

// AdminTwin is the back-office change that goes with c, which services
// publish for the public pages: every change to an entity's topic is also
// a change to its admin topic. Events name their id in the topic; venues,
// artists and posts are named by slug and carry their id in c.ID. Parts
// of a venue (schedule, now playing, screen) and the lists are no change
// to an edited field, so they have no twin.
func AdminTwin(c Change) (Change, bool) {
	if c.Topic == TopicSettings {
		return Change{Topic: TopicAdminSettings}, true
	}
	kind, rest, ok := strings.Cut(c.Topic, ":")
	if !ok {
		return Change{}, false
	}
	switch kind {
	case AdminEvent:
		if validID(rest) {
			return Change{Topic: adminPrefix + c.Topic, ID: c.ID}, true
		}
	case AdminLocation, AdminArtist, AdminPost:
		if c.ID > 0 && validSlug(rest) {
			return Change{Topic: AdminTopic(kind, c.ID), ID: c.ID}, true
		}
	}
	return Change{}, false
}

// validAdmin is the spelling of an admin topic, without its prefix.
func validAdmin(t string) bool {
	if t == TopicSettings {
		return true
	}
	kind, id, ok := strings.Cut(t, ":")
	if !ok {
		return false
	}
	switch kind {
	case AdminEvent, AdminLocation, AdminArtist, AdminPost:
		return validID(id)
	}
	return false
}

// validID is a positive decimal id without leading zeros, as EventTopic
// spells it, so one event has one topic.
func validID(s string) bool {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validSlug is what content.Slug makes: a-z, 0-9 and single inner dashes.
func validSlug(s string) bool {
	if s == "" || len(s) > maxSlug || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// validPart is a part of a location page: "schedule", "now-playing", ...
func validPart(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return validSlug(s)
}
