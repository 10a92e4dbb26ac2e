package live

import "strings"

// maxSlug bounds a slug in a topic; real slugs are far shorter.
const maxSlug = 128

// ValidTopic reports whether t is spelled as a topic: one of the lists
// (events, locations, artists, posts, settings), event:<id>,
// location:<slug>[:<part>], artist:<slug> or post:<slug>. It says nothing of
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
