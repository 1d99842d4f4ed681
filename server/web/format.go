package web

import (
	"fmt"
	"time"
)

// Duration is the one way pages say how long something takes or is left:
// "45 min", "1 h 05 min" (under three days), "4 days".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 72*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Until says how long is left, or how late it is.
func Until(d time.Duration) string {
	if d < 0 {
		return Duration(d) + " overdue"
	}
	return Duration(d) + " left"
}

// Ago says roughly when something happened, in its largest unit.
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// Money shows minor units with their currency: 1299 EUR → "€12.99".
func Money(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	sym := map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}[currency]
	if sym == "" {
		return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, currency)
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, sym, amount/100, amount%100)
}

// When shows an instant in UTC, to the minute.
func When(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2 Jan 2006 15:04 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return When(*v)
	}
	return ""
}

// ShortDay turns 2006-01-02 into "2 Jan".
func ShortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}
