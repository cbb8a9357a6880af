package oncall

import "time"

// Location is the time zone a schedule's times are shown in: its first layer's (UTC
// when no layer has a valid one).
func (s *Schedule) Location() *time.Location {
	for _, l := range s.Layers {
		if l == nil {
			continue
		}
		if loc, err := time.LoadLocation(l.TimeZone); err == nil && l.TimeZone != "" {
			return loc
		}
	}
	return time.UTC
}
