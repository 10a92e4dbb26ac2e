// Package actor says who is doing something: the signed-in user behind a
// request, or the system itself (seed, command line, schedulers). Services
// take an Actor with every write, check what it may do, and record it in the
// audit log; the web layer builds it from the session.
package actor

// Role is what a user may do.
type Role string

// The roles, from most to least powerful.
const (
	// RoleAdmin may do everything, including users, settings and integrations.
	RoleAdmin Role = "admin"
	// RoleEditor may edit all content.
	RoleEditor Role = "editor"
	// RoleArtist may edit their own artist profile and the set details of
	// the events they play.
	RoleArtist Role = "artist"
	// RoleMember may manage their own account, follows and preferences.
	RoleMember Role = "member"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{RoleAdmin, RoleEditor, RoleArtist, RoleMember} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleEditor, RoleArtist, RoleMember:
		return true
	}
	return false
}

// Actor is who performs an action. The zero Actor is an anonymous visitor.
type Actor struct {
	// UserID is the signed-in user, 0 for the system and for visitors.
	UserID int64
	// Role is the user's role; RoleAdmin for the system, empty for visitors.
	Role Role
	// ArtistID is the artist profile an artist-role user owns, or 0.
	ArtistID int64
	// IP and RequestID are recorded in the audit log when known.
	IP        string
	RequestID string
}

// System is the actor for work nobody signed in for: `tdc seed`, the
// command line and scheduled jobs. It may do what an admin may.
func System() Actor { return Actor{Role: RoleAdmin} }

// SignedIn reports whether a is a user or the system, not a visitor.
func (a Actor) SignedIn() bool { return a.Role != "" }

// IsAdmin reports whether a may do everything.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// IsStaff reports whether a may edit all content (admins and editors).
func (a Actor) IsStaff() bool { return a.Role == RoleAdmin || a.Role == RoleEditor }

// OwnsArtist reports whether a is the artist-role user of artist id.
func (a Actor) OwnsArtist(id int64) bool {
	return a.Role == RoleArtist && a.ArtistID != 0 && a.ArtistID == id
}
