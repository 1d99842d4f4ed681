package domain

import (
	"fmt"
	"time"
)

// Window says a policy's window as people say it: "48 h", "72 h",
// "200 days", "90 min". Texts that name a deadline say the configured one,
// never a fixed "48 h".
func Window(d time.Duration) string {
	switch {
	case d >= 96*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}
