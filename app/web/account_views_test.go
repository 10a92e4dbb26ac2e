package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
)

// addAccountSamples adds the account pages and fragments to the sample data
// every template is rendered with, hostile text in each field a user types.
func addAccountSamples(pages, fragments map[string]any, base Base, evil string) {
	errs := map[string]string{"form": evil, "email": evil, "password": evil, "display_name": evil,
		"language": evil, "time_zone": evil, "current_password": evil, "delete_password": evil}
	auth := authPage{Base: base, CSRF: "tok" + evil, Next: "/events?x=" + evil, Email: evil, DisplayName: evil, Token: "t" + evil, Errors: errs, NoticeID: "account.notice.password_reset"}
	sent := auth
	sent.Sent = true
	u := accounts.User{ID: 1, Email: evil + "@example.org", DisplayName: evil, Role: actor.RoleMember, Language: "en", CreatedAt: time.Now()}
	btn := followButton{Kind: "artist", Slug: "a", Name: evil, Page: "/artists/a", SignedIn: true, Following: true, CSRF: evil, Next: "/account"}
	acct := accountPage{
		Base: base, CSRF: evil, User: u, Follows: []followButton{btn, {Kind: "location", Slug: "l", Name: evil, Page: "/locations/l", SignedIn: true, CSRF: evil}},
		Languages: []langOption{{Code: "en", Name: "English", Selected: true}, {Code: "de", Name: "Deutsch"}},
		Zones:     base.ZoneChoices, DisplayName: evil, Language: "en", TimeZone: evil, Errors: errs, Saved: "profile", VerifySent: true, Supporter: true,
	}
	pages["account/login"] = auth
	pages["account/signup"] = auth
	pages["account/reset"] = sent
	pages["account/reset-password"] = auth
	pages["account/notice"] = noticePage{Base: base, TitleID: "account.verify.title", MessageID: "account.verify.done", Kind: "success", Links: []noticeLink{{URL: "/login", TextID: "account.menu.signin"}}}
	pages["account/index"] = acct
	pages["account/follow"] = followPage{Base: base, Button: followButton{Kind: "location", Slug: "l", Name: evil, Page: "/locations/l", LoginURL: "/login?next=%2Flocations%2Fl"}}
	fragments["account-login"] = auth
	fragments["account-signup"] = auth
	fragments["account-reset"] = auth
	fragments["account-reset-password"] = auth
	fragments["account-menu"] = accountMenu{SignedIn: true, Name: evil, Admin: true, CSRF: evil, LoginURL: "/login"}
	fragments["account-verify"] = acct
	fragments["account-profile"] = acct
	fragments["account-password"] = acct
	fragments["account-delete"] = acct
	fragments["account-field"] = map[string]any{"ID": "f", "Name": "email", "Type": "email", "Label": "account.field.email", "Value": evil, "Error": evil, "Hint": "account.field.password_hint"}
	fragments["follow-button"] = btn
}

// The account fragments' root elements carry their names, so htmx can
// swap them in place; the follow button's id names what it follows.
func TestAccountFragmentRootIDs(t *testing.T) {
	t.Parallel()
	r, _ := renderer(t)
	_, fragments := sample(t)
	for _, name := range []string{"account-login", "account-signup", "account-reset", "account-reset-password", "account-menu", "account-verify", "account-profile", "account-password", "account-delete"} {
		var buf bytes.Buffer
		require.NoError(t, r.Fragment(&buf, "en", name, fragments[name]))
		require.Regexp(t, `^\s*<[a-z]+ id="`+name+`"`, buf.String(), name)
	}
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "follow-button", fragments["follow-button"]))
	require.Regexp(t, `^\s*<div id="follow-button-artist-a"`, buf.String())
	// The CSRF token is in the form and in the header htmx sends with DELETE.
	require.Contains(t, buf.String(), `hx-delete="/follows/artists/a"`)
	require.Contains(t, buf.String(), `hx-headers='{"X-CSRF-Token": "&lt;script&gt;`)
	require.Contains(t, buf.String(), "Following &lt;script&gt;")
	require.False(t, strings.Contains(buf.String(), "<script>"))
}
