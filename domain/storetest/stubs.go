package storetest

var (
	// incidentCases   []testCase
	// refundCases     []testCase
	// claimCases      []testCase
	// workCases       []testCase
	auditCases      []testCase
	deflectionCases []testCase
)
