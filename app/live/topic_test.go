package live_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
)

func TestValidAdminTopic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		topic string
		ok    bool
	}{
		{"admin:event:12", true}, {"admin:location:3", true}, {"admin:artist:7", true}, {"admin:post:1", true},
		{"admin:settings", true}, {live.AdminTopic(live.AdminEvent, 9), true},
		{"admin:", false}, {"admin", false}, {"admin:event", false}, {"admin:event:", false},
		{"admin:event:0", false}, {"admin:event:012", false}, {"admin:event:-1", false}, {"admin:event:1a", false},
		{"admin:event:1234567890123456789", false}, {"admin:location:main-cave", false},
		{"admin:user:1", false}, {"admin:media:1", false}, {"admin:events", false}, {"admin:settings:1", false},
		{"admin:event:1:x", false}, {"admin:admin:event:1", false}, {"Admin:event:1", false},
		{"admin:event:<script>", false}, {"admin:post:\xff", false},
	} {
		require.Equal(t, tc.ok, live.ValidTopic(tc.topic), "%q", tc.topic)
	}
}

func TestAdminTwin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   live.Change
		want string // "" for no twin
	}{
		{live.Change{Topic: "event:12", ID: 12}, "admin:event:12"},
		{live.Change{Topic: "event:12"}, "admin:event:12"}, // the id is in the topic
		{live.Change{Topic: "location:main-cave", ID: 3}, "admin:location:3"},
		{live.Change{Topic: "artist:dj-x", ID: 7}, "admin:artist:7"},
		{live.Change{Topic: "post:hello", ID: 5}, "admin:post:5"},
		{live.Change{Topic: "settings"}, "admin:settings"},
		{live.Change{Topic: "location:main-cave"}, ""}, // no id to name the row by
		{live.Change{Topic: "location:main-cave:now-playing", ID: 3}, ""},
		{live.Change{Topic: "location:main-cave:screen", ID: 3}, ""},
		{live.Change{Topic: "events"}, ""}, {live.Change{Topic: "locations", ID: 3}, ""},
		{live.Change{Topic: live.TopicAll}, ""}, {live.Change{Topic: "event:x"}, ""},
		{live.Change{Topic: "admin:event:1", ID: 1}, ""}, {live.Change{Topic: "artist:A B", ID: 1}, ""},
	} {
		got, ok := live.AdminTwin(tc.in)
		require.Equal(t, tc.want != "", ok, "%+v", tc.in)
		require.Equal(t, tc.want, got.Topic, "%+v", tc.in)
		if ok {
			require.True(t, live.ValidTopic(got.Topic), "%q", got.Topic)
		}
	}
}
