package domain

import "fmt"

// FormatMoney writes minor units for people, as error texts and
// notifications show them: 5785 EUR → "57.85 EUR".
func FormatMoney(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, currency)
}
