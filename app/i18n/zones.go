package i18n

import (
	"slices"
	"strings"
)

//go:generate go run gen_zones.go

// CanonicalZone returns the canonical spelling of name when it names a zone
// in Go's tzdata ("europe/berlin" gives "Europe/Berlin"), and false for
// anything else: time.LoadLocation also accepts "./Europe/Berlin",
// "Europe//Berlin" and the host's "Local", and visitors' zones key caches,
// so only the ~600 real names may pass.
func CanonicalZone(name string) (string, bool) {
	if name == "" || len(name) > 64 {
		return "", false
	}
	if _, ok := slices.BinarySearch(zoneNames[:], name); ok {
		return name, true
	}
	for _, z := range zoneNames {
		if strings.EqualFold(z, name) {
			return z, true
		}
	}
	return "", false
}

// ZoneNames lists every zone name CanonicalZone accepts, sorted.
func ZoneNames() []string { return slices.Clone(zoneNames[:]) }

// ZoneAliases maps each other name of a zone ("US/Pacific") to the zone's
// own name in zone1970.tab ("America/Los_Angeles"), as Go's tzdata has them.
// The host's tzdata may differ: callers check the pair keeps the same time
// before they treat the names as one. A new map each call.
func ZoneAliases() map[string]string { return zoneAliases() }
