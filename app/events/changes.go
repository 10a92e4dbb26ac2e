package events

import (
	"slices"
	"strconv"
	"strings"

	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/live"
)

// diff lists what differs between two states of an event, field by field,
// under the names Patch uses. An empty diff means there is nothing to write.
func (s *Service) diff(cur, next Draft) []audit.Change {
	var out []audit.Change
	add := func(field, old, new string) {
		if old != new {
			out = append(out, audit.Change{Field: field, Old: old, New: new})
		}
	}
	add("slug", cur.Slug, next.Slug)
	add("kind", string(cur.Kind), string(next.Kind))
	if cur.LocationID != next.LocationID {
		out = append(out, audit.Change{Field: "location", Old: cur.LocationSlug, New: next.LocationSlug})
	}
	add("starts_at", content.Stamp(cur.StartsAt), content.Stamp(next.StartsAt))
	add("ends_at", content.Stamp(cur.EndsAt), content.Stamp(next.EndsAt))
	add("published", strconv.FormatBool(cur.Published), strconv.FormatBool(next.Published))
	add("cancelled", content.Stamp(cur.CancelledAt), content.Stamp(next.CancelledAt))
	add("allow_overlap", strconv.FormatBool(cur.AllowOverlap), strconv.FormatBool(next.AllowOverlap))
	add("cover", content.ID(cur.CoverMediaID), content.ID(next.CoverMediaID))
	for _, lang := range unionKeys(cur.Texts, next.Texts) {
		c, n := cur.Texts[lang], next.Texts[lang]
		add("title."+lang, c.Title, n.Title)
		add("summary."+lang, c.Summary, n.Summary)
		add("description."+lang, c.Description, n.Description)
	}
	if !lineupEqual(cur.Lineup, next.Lineup) {
		out = append(out, audit.Change{Field: "lineup", Old: lineupString(cur.Lineup), New: lineupString(next.Lineup)})
	}
	return out
}

// lineupString writes a lineup for the audit log: "1. slug 20:00Z–21:00Z; 2. ...".
func lineupString(l []LineupEntry) string {
	parts := make([]string, len(l))
	for i, e := range l {
		p := strconv.Itoa(e.Position) + ". " + e.ArtistSlug
		if !e.SetStartsAt.IsZero() {
			p += " " + content.Stamp(e.SetStartsAt)
		}
		if !e.SetEndsAt.IsZero() {
			p += "–" + content.Stamp(e.SetEndsAt)
		}
		parts[i] = p
	}
	return strings.Join(parts, "; ")
}

// topics names what a change from cur to next shows on: the event itself
// always (the back office shows drafts too); while it is or was public,
// also the programme, the schedules and screens of its old and new venue, and the pages
// of every artist in its old or new lineup.
func topics(cur, next Draft) []string {
	id := next.ID
	if id == 0 {
		id = cur.ID
	}
	out := []string{live.EventTopic(id)}
	if !cur.Visible() && !next.Visible() {
		return out
	}
	out = append(out, live.TopicEvents)
	for _, l := range []string{cur.LocationSlug, next.LocationSlug} {
		if l != "" {
			out = append(out, live.LocationTopic(l, "schedule"), live.LocationTopic(l, "screen"))
		}
	}
	for _, e := range slices.Concat(cur.Lineup, next.Lineup) {
		out = append(out, live.ArtistTopic(e.ArtistSlug))
	}
	// Keep the first of each, in order.
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(t string) bool {
		if seen[t] {
			return true
		}
		seen[t] = true
		return false
	})
}

func unionKeys(a, b map[string]Text) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func sortedKeys(m map[string]Text) []string { return unionKeys(m, nil) }
