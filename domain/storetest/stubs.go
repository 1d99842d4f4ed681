package storetest

var (
	// incidentCases   []testCase
	// refundCases     []testCase
	// claimCases      []testCase
	// workCases       []testCase
	outboxCases     []testCase
	auditCases      []testCase
	deflectionCases []testCase
)
